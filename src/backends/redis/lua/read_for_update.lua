--[[
  First step of an optimistic update(): reads entries and the timeline's version in one atomic
  step. Creates the version (0) when absent, so that from now on every write bumps it.
  KEYS[1] z, KEYS[2] p, KEYS[3] v (see add.lua)
  ARGV[1..] entry ids
  Returns: { version, score1 or false, payload1 or false, score2, ... }
]]
redis.call('SET', KEYS[3], 0, 'NX')
local out = { redis.call('GET', KEYS[3]) }
for _, id in ipairs(ARGV) do
  out[#out + 1] = redis.call('ZSCORE', KEYS[1], id) or false
  out[#out + 1] = redis.call('HGET', KEYS[2], id) or false
end
return out
