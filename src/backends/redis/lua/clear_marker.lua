--[[
  Clears a marker from every entry of a timeline.
  KEYS[1] marker SET, KEYS[2] mk (see add.lua)
  ARGV[1] marker name
  Returns: how many entries carried the marker.
]]
local n = redis.call('SCARD', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return n
