--[[
  Fan-out: upserts the same entries into many timelines and trims each, in one call. Single-node
  Redis only (the keys span many hash tags); a cluster uses add_on_node.lua per master instead.
  KEYS[4i+1..4i+4] for each timeline i: z, p, v, mk (see add.lua)
  ARGV[1] maxLength, or -1 for no trim
  ARGV[2] n: number of entries
  ARGV[3] '1' when the timelines only ever hold id-only entries (a normalized flat feed: no
          payloads or markers to clean up, never updated optimistically; only z is touched),
          else '0'
  ARGV[4..] n quadruples: score, id, hasPayload ('1' or '0'), payload
  Returns: the total number of new ids over all timelines.
]]
--- @include "timeline"
local maxLength = tonumber(ARGV[1])
local idsOnly = ARGV[3] == '1'
local parsed = parseEntries(4, tonumber(ARGV[2])) -- once for every timeline
if idsOnly then parsed.hdel = {} end
local added = 0
for i = 1, #KEYS, 4 do
  added = added + applyEntries(KEYS[i], KEYS[i + 1], parsed)
  if idsOnly then
    trimIdsOnly(KEYS[i], maxLength)
  else
    trimTo(KEYS[i], KEYS[i + 1], KEYS[i + 3], maxLength)
    bump(KEYS[i + 2])
  end
end
return added
