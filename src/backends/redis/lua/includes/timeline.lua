-- Shared helpers of the timeline scripts, pasted into each script by the loader at the line
-- `--- @include "timeline"`. A timeline is four keys under one hash tag:
--   z  ZSET   member = entry id, score = entry score (ms or rank)
--   p  HASH   entry id -> payload (denormalized entries only)
--   v  STRING version counter, present only while an optimistic update() may be in flight
--   mk SET    names of the markers in use; marker NAME is the SET <base>:m:NAME, where
--             <base> is the mk key without its ':mk' suffix (same hash tag)

local CHUNK = 500

local function markerKey(mk, name)
  return string.sub(mk, 1, -4) .. ':m:' .. name
end

-- Calls redis.call(cmd, key, ...ids) in chunks (Lua's unpack has a stack limit).
local function callChunked(cmd, key, ids)
  local total = 0
  for i = 1, #ids, CHUNK do
    local last = math.min(i + CHUNK - 1, #ids)
    total = total + redis.call(cmd, key, unpack(ids, i, last))
  end
  return total
end

-- Bumps the version so that a concurrent optimistic update() notices the write.
local function bump(v)
  if redis.call('EXISTS', v) == 1 then redis.call('INCR', v) end
end

-- Forgets payloads and markers of ids that left the timeline.
local function forget(p, mk, ids)
  if #ids == 0 then return end
  callChunked('HDEL', p, ids)
  for _, name in ipairs(redis.call('SMEMBERS', mk)) do
    local m = markerKey(mk, name)
    callChunked('SREM', m, ids)
    if redis.call('EXISTS', m) == 0 then redis.call('SREM', mk, name) end
  end
end

-- Removes ids; returns how many were in the timeline.
local function removeIds(z, p, mk, ids)
  if #ids == 0 then return 0 end
  local removed = callChunked('ZREM', z, ids)
  forget(p, mk, ids)
  return removed
end

-- Keeps the maxLength highest entries; returns how many were removed.
local function trimTo(z, p, mk, maxLength)
  if maxLength < 0 then return 0 end
  local excess = redis.call('ZCARD', z) - maxLength
  if excess <= 0 then return 0 end
  local ids = redis.call('ZRANGE', z, 0, excess - 1)
  redis.call('ZREMRANGEBYRANK', z, 0, excess - 1)
  forget(p, mk, ids)
  return excess
end

-- Upserts entries given as ARGV quadruples (score, id, hasPayload '1'/'0', payload) starting at
-- ARGV[first], n of them; returns how many ids were new.
local function addEntries(z, p, first, n)
  local added = 0
  local zargs = {}
  local withPayload = {}
  local withoutPayload = {}
  for i = 0, n - 1 do
    local at = first + i * 4
    zargs[#zargs + 1] = ARGV[at]
    zargs[#zargs + 1] = ARGV[at + 1]
    if ARGV[at + 2] == '1' then
      withPayload[#withPayload + 1] = ARGV[at + 1]
      withPayload[#withPayload + 1] = ARGV[at + 3]
    else
      withoutPayload[#withoutPayload + 1] = ARGV[at + 1]
    end
    if #zargs >= CHUNK * 2 then
      added = added + redis.call('ZADD', z, unpack(zargs))
      zargs = {}
    end
  end
  if #zargs > 0 then added = added + redis.call('ZADD', z, unpack(zargs)) end
  for i = 1, #withPayload, CHUNK * 2 do
    redis.call('HSET', p, unpack(withPayload, i, math.min(i + CHUNK * 2 - 1, #withPayload)))
  end
  if #withoutPayload > 0 then callChunked('HDEL', p, withoutPayload) end
  return added
end
