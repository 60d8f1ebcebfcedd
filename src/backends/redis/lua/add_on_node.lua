#!lua flags=allow-cross-slot-keys
--[[
  Cluster fan-out: `add_to_many` for the timelines of one master node, in one call. Their keys
  span many slots, which a cluster script may touch only with the `allow-cross-slot-keys` flag
  (Redis 7+) and only while every slot is served by this node: otherwise Redis stops the script
  with an error and the caller retries those timelines one `add` each through the cluster client
  (the writes are idempotent, so a partly applied call is harmless).
  KEYS[1] z of the first timeline: routes the call and makes Redis check its slot first
  ARGV[1] m: number of timelines
  ARGV[2..m+1] their key bases `<keyPrefix><prefix>:{<feed key>}`, with the client's ioredis
          keyPrefix (ioredis prefixes KEYS, not ARGV); a timeline's keys are base..KEY_Z, KEY_P,
          KEY_V and KEY_MK (see add.lua and keys.ts)
  ARGV[m+2] maxLength, or -1 for no trim
  ARGV[m+3] n: number of entries
  ARGV[m+4] '1' when the timelines only ever hold id-only entries (see add_to_many.lua; only
          base..KEY_Z is touched), else '0'
  ARGV[m+5..] n quadruples: score, id, hasPayload ('1' or '0'), payload
  Returns: the total number of new ids over all timelines.
]]
--- @include "timeline"
local m = tonumber(ARGV[1])
local maxLength = tonumber(ARGV[m + 2])
local idsOnly = ARGV[m + 4] == '1'
local parsed = parseEntries(m + 5, tonumber(ARGV[m + 3])) -- once for every timeline
if idsOnly then parsed.hdel = {} end
local added = 0
for i = 2, m + 1 do
  local base = ARGV[i]
  local z, p = base .. KEY_Z, base .. KEY_P
  added = added + applyEntries(z, p, parsed)
  if idsOnly then
    trimIdsOnly(z, maxLength)
  else
    trimTo(z, p, base .. KEY_MK, maxLength)
    bump(base .. KEY_V)
  end
end
return added
