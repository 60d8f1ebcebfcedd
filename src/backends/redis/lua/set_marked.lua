--[[
  Sets or clears a marker on those of the given ids that are in the timeline.
  KEYS[1] z, KEYS[2] mk (see add.lua)
  ARGV[1] marker name, ARGV[2] '1' to set, '0' to clear, ARGV[3..] ids
  Returns: how many ids changed state.
]]
local z, mk = KEYS[1], KEYS[2]
local m = string.sub(mk, 1, -4) .. ':m:' .. ARGV[1]
local changed = 0
for i = 3, #ARGV do
  if ARGV[2] == '1' then
    if redis.call('ZSCORE', z, ARGV[i]) then changed = changed + redis.call('SADD', m, ARGV[i]) end
  else
    changed = changed + redis.call('SREM', m, ARGV[i])
  end
end
if redis.call('EXISTS', m) == 1 then redis.call('SADD', mk, ARGV[1]) else redis.call('SREM', mk, ARGV[1]) end
return changed
