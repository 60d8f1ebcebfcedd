--[[
  Upserts entries into one timeline and trims it, atomically.
  KEYS[1] z   timeline ZSET
  KEYS[2] p   payload HASH
  KEYS[3] v   version STRING
  KEYS[4] mk  marker-names SET
  ARGV[1] maxLength, or -1 for no trim
  ARGV[2] n: number of entries
  ARGV[3] '1' when the timeline only ever holds id-only entries (a normalized flat feed: no
          payloads to clean up, never updated optimistically), else '0'
  ARGV[4..] n quadruples: score, id, hasPayload ('1' or '0'), payload
  Returns: the number of ids that were not in the timeline before.
]]
--- @include "timeline"
local parsed = parseEntries(4, tonumber(ARGV[2]))
if ARGV[3] == '1' then parsed.hdel = {} end
local added = applyEntries(KEYS[1], KEYS[2], parsed)
trimTo(KEYS[1], KEYS[2], KEYS[4], tonumber(ARGV[1]))
if ARGV[3] ~= '1' then bump(KEYS[3]) end
return added
