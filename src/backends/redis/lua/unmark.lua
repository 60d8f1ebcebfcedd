--[[
  Clears a marker from the given ids of a timeline (markers are set only by commit_update.lua).
  KEYS[1] mk (see add.lua)
  ARGV[1] marker name, ARGV[2..] ids (no repeats)
  Returns: how many of the ids carried the marker.
]]
--- @include "keys"
local mk, name = KEYS[1], ARGV[1]
local m = markerKey(mk, name)
local cleared = 0
for i = 2, #ARGV do cleared = cleared + redis.call('SREM', m, ARGV[i]) end
if redis.call('EXISTS', m) == 0 then redis.call('SREM', mk, name) end
return cleared
