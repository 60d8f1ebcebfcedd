--[[
  Clears markers from every entry of a timeline, or from the given ids (markers are set only by
  commit_update.lua); a notification feed's markAll clears unseen and unread in this one call.
  KEYS[1] mk, KEYS[2..] the SET of each marker (see keys.ts), in the order of their names
  ARGV[1..#KEYS-1] the marker names (distinct), then the ids (no repeats); no ids: every entry
  Returns: for each marker, how many entries (of the ids) carried it.
]]
local mk = KEYS[1]
local n = #KEYS - 1
local CHUNK = 500
local counts = {}
for i = 1, n do
  local m = KEYS[i + 1]
  if #ARGV == n then
    counts[i] = redis.call('SCARD', m)
    if counts[i] > 0 then redis.call('DEL', m) end
    -- The SET is gone (deleted, or empty: Redis keeps no empty SET).
    redis.call('SREM', mk, ARGV[i])
  else
    -- SREM in chunks (Lua's unpack has a stack limit).
    counts[i] = 0
    for first = n + 1, #ARGV, CHUNK do
      local last = math.min(first + CHUNK - 1, #ARGV)
      counts[i] = counts[i] + redis.call('SREM', m, unpack(ARGV, first, last))
    end
    if counts[i] > 0 and redis.call('EXISTS', m) == 0 then redis.call('SREM', mk, ARGV[i]) end
  end
end
return counts
