--[[
  Removes entries (with their payloads and markers) from one or more timelines.
  KEYS[4i+1..4i+4] for each timeline i: z, p, v, mk (see add.lua); several timelines only on a
  single-node Redis
  ARGV[1..] entry ids
  Returns: the number of entries removed from the first timeline.
]]
--- @include "timeline"
local first = 0
for i = 1, #KEYS, 4 do
  local removed = removeIds(KEYS[i], KEYS[i + 1], KEYS[i + 3], ARGV)
  if removed > 0 then bump(KEYS[i + 2]) end
  if i == 1 then first = removed end
end
return first
