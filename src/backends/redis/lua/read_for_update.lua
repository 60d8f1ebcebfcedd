--[[
  First step of an optimistic update() when the client has no cached state for the timeline:
  reads entries and the timeline's version in one atomic step. Creates the version when absent,
  so that from now on every write bumps it.
  KEYS[1] z, KEYS[2] p, KEYS[3] v (see add.lua)
  ARGV[1] initial version, used only when the timeline has none (a random integer)
  ARGV[2..] entry ids
  Returns: { version, score1 or false, payload1 or false, score2, ... }
]]
--- @include "timeline"
return readForUpdate(KEYS[1], KEYS[2], KEYS[3], ARGV[1], 2)
