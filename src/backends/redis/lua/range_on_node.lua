#!lua flags=allow-cross-slot-keys,no-writes
--[[
  rangeMany on a cluster: range.lua on the timelines of one master node, in one call (see
  add_on_node.lua for why keys come in ARGV and what happens when a slot moved: the caller reads
  the timelines of a failed call one range.lua each through the cluster client).
  KEYS[1] z of the first timeline: routes the call and makes Redis check its slot first
  ARGV[1] m: number of timelines
  ARGV[2..m+1] their key bases `<keyPrefix><prefix>:{<feed key>}`, with the client's ioredis
          keyPrefix; a timeline's keys are base..KEY_Z and base..KEY_P
  ARGV[m+2..m+12] the query, as ARGV[1..11] of range.lua
  Returns: one flat array per timeline (as range.lua returns), in ARGV order.
]]
--- @include "keys"
--- @include "range"
local m = tonumber(ARGV[1])
local out = {}
for i = 2, m + 1 do out[#out + 1] = readRange(ARGV[i] .. KEY_Z, ARGV[i] .. KEY_P, m + 2) end
return out
