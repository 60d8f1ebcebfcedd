--[[
  Deletes a timeline with its payloads, markers and version.
  KEYS[1..4] z, p, v, mk (see add.lua)
  Returns: 1.
]]
--- @include "timeline"
for _, name in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  redis.call('DEL', markerKey(KEYS[4], name))
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return 1
