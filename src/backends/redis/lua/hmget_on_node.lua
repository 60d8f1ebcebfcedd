#!lua flags=allow-cross-slot-keys,no-writes
--[[
  Activity storage read on a cluster: the HMGETs of one master node's hashes in one call (see
  add_on_node.lua for why keys come in ARGV and what happens when a slot moved).
  KEYS[1] the first hash: routes the call and makes Redis check its slot first
  ARGV[1] m: number of hashes, then for each hash: its key (with the client's ioredis keyPrefix,
          which ioredis does not add to ARGV), n, then n field names
  Returns: the values of every field in argument order (false where absent).
]]
local CHUNK = 500 -- fields per HMGET (unpack has a stack limit)
local out = {}
local at = 2
for _ = 1, tonumber(ARGV[1]) do
  local key, n = ARGV[at], tonumber(ARGV[at + 1])
  local first, last = at + 2, at + 1 + n
  for i = first, last, CHUNK do
    local values = redis.call('HMGET', key, unpack(ARGV, i, math.min(i + CHUNK - 1, last)))
    for j = 1, #values do out[#out + 1] = values[j] end
  end
  at = last + 1
end
return out
