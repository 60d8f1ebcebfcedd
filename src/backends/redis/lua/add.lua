--[[
  Upserts entries into one timeline and trims it, atomically.
  KEYS[1] z   timeline ZSET
  KEYS[2] p   payload HASH
  KEYS[3] v   version STRING
  KEYS[4] mk  marker-names SET
  ARGV[1] maxLength, or -1 for no trim
  ARGV[2] n: number of entries
  ARGV[3..] n quadruples: score, id, hasPayload ('1' or '0'), payload
  Returns: the number of ids that were not in the timeline before.
]]
--- @include "timeline"
local added = addEntries(KEYS[1], KEYS[2], 3, tonumber(ARGV[2]))
trimTo(KEYS[1], KEYS[2], KEYS[4], tonumber(ARGV[1]))
bump(KEYS[3])
return added
