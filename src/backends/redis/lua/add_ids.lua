--[[
  add.lua for an id-only timeline (the idsOnly write hint: a normalized flat feed, no payloads,
  no markers, never updated optimistically): upserts ids and trims, touching the ZSET only. One
  declared key, so that on a cluster a slot being migrated redirects it cleanly (ASK) instead of
  answering TRYAGAIN while the timeline's other, never created keys are "missing".
  KEYS[1] z   timeline ZSET
  ARGV[1] maxLength, or -1 for no trim
  ARGV[2..] pairs: score, id
  Returns: the number of ids that were not in the timeline before.
]]
--- @include "timeline"
local added = 0
for i = 2, #ARGV, CHUNK * 2 do
  added = added + redis.call('ZADD', KEYS[1], unpack(ARGV, i, math.min(i + CHUNK * 2 - 1, #ARGV)))
end
trimIdsOnly(KEYS[1], tonumber(ARGV[1]))
return added
