--[[
  rangeMany on a single node: range.lua on several timelines in one call, the same query for
  each (a cluster uses range_on_node.lua instead: these keys span many slots).
  KEYS[2i-1] z, KEYS[2i] p of the i-th timeline (see add.lua)
  ARGV[1..11] the query, as ARGV[1..11] of range.lua
  Returns: one flat array per timeline (as range.lua returns), in KEYS order.
]]
--- @include "range"
local out = {}
for i = 1, #KEYS, 2 do out[#out + 1] = readRange(KEYS[i], KEYS[i + 1], 1) end
return out
