#!lua flags=allow-cross-slot-keys
--[[
  Cluster fan-out removal: `remove` for the timelines of one master node, in one call (see
  add_on_node.lua for why the keys come in ARGV and what happens when a slot moved).
  KEYS[1] z of the first timeline: routes the call and makes Redis check its slot first
  ARGV[1] m: number of timelines
  ARGV[2..m+1] their key bases `<keyPrefix><prefix>:{<feed key>}` (see add_on_node.lua)
  ARGV[m+2] '1' when the timelines only ever hold id-only entries (only base..KEY_Z is touched,
          see add_to_many.lua), else '0'
  ARGV[m+3..] entry ids
  Returns: the total number of entries removed over all timelines.
]]
--- @include "timeline"
local m = tonumber(ARGV[1])
local idsOnly = ARGV[m + 2] == '1'
local ids = {}
for i = m + 3, #ARGV do ids[#ids + 1] = ARGV[i] end
local removed = 0
for i = 2, m + 1 do
  local base = ARGV[i]
  if idsOnly then
    removed = removed + callChunked('ZREM', base .. KEY_Z, ids)
  else
    local n = removeIds(base .. KEY_Z, base .. KEY_P, base .. KEY_MK, ids)
    if n > 0 then bump(base .. KEY_V) end
    removed = removed + n
  end
end
return removed
