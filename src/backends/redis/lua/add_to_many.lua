--[[
  Fan-out: upserts the same entries into many timelines and trims each, in one call. Single-node
  Redis only (the keys span many hash tags); a cluster sends one `add` per timeline instead.
  KEYS[4i+1..4i+4] for each timeline i: z, p, v, mk (see add.lua)
  ARGV[1] maxLength, or -1 for no trim
  ARGV[2] n: number of entries
  ARGV[3..] n quadruples: score, id, hasPayload ('1' or '0'), payload
  Returns: the total number of new ids over all timelines.
]]
--- @include "timeline"
local maxLength = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local added = 0
for i = 1, #KEYS, 4 do
  added = added + addEntries(KEYS[i], KEYS[i + 1], 3, n)
  trimTo(KEYS[i], KEYS[i + 1], KEYS[i + 3], maxLength)
  bump(KEYS[i + 2])
end
return added
