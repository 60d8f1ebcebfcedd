--[[
  Keeps the maxLength highest entries of a timeline (payloads and markers of the rest go too).
  KEYS[1..4] z, p, v, mk (see add.lua)
  ARGV[1] maxLength
  Returns: the number of entries removed.
]]
--- @include "timeline"
local removed = trimTo(KEYS[1], KEYS[2], KEYS[4], tonumber(ARGV[1]))
if removed > 0 then bump(KEYS[3]) end
return removed
