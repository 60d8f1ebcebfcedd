-- Shared helpers of the timeline scripts, pasted into each script by the loader at the line
-- `--- @include "timeline"`. A timeline is four keys under one hash tag (their names come from
-- keys.ts, pasted in below):
--   z  ZSET   member = entry id, score = entry score (ms or rank)
--   p  HASH   entry id -> payload (denormalized entries only)
--   v  STRING version counter, present only while an optimistic update() may be in flight
--   mk SET    names of the markers in use; each marker is a SET of ids (see markerKey)
--- @include "keys"

local CHUNK = 500

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

-- Forgets payloads and markers of ids that left the timeline; a marker whose SET this empties
-- leaves mk (a SET that lost no id did not become empty here).
local function forget(p, mk, ids)
  if #ids == 0 then return end
  callChunked('HDEL', p, ids)
  for _, name in ipairs(redis.call('SMEMBERS', mk)) do
    local m = markerKey(mk, name)
    if callChunked('SREM', m, ids) > 0 and redis.call('EXISTS', m) == 0 then
      redis.call('SREM', mk, name)
    end
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
  -- ZPOPMIN: the lowest entries (equal scores by id, as ZRANGE orders them) in one call.
  local popped = redis.call('ZPOPMIN', z, excess)
  local ids = {}
  for i = 1, #popped, 2 do ids[#ids + 1] = popped[i] end
  forget(p, mk, ids)
  return excess
end

-- trimTo for an id-only timeline (idsOnly writes: no payloads, no markers, no version), touching
-- its ZSET only; returns how many entries were removed.
local function trimIdsOnly(z, maxLength)
  if maxLength < 0 then return 0 end
  local excess = redis.call('ZCARD', z) - maxLength
  if excess <= 0 then return 0 end
  redis.call('ZREMRANGEBYRANK', z, 0, excess - 1)
  return excess
end

-- The id-only fan-out (add_ids_to_many.lua, add_ids_on_node.lua): upserts (score, id) pairs into
-- many timelines' ZSETs and trims each as trimIdsOnly. The timelines come in one argument, not
-- one key each: ARGV[first] head and ARGV[first + 1] tail, the ZSET of a timeline being
-- head..name..tail (keys.ts, zKeyParts), and ARGV[first + 2] the names (escaped feed keys,
-- never empty) separated by NUL bytes; ARGV[first + 3] maxLength, or -1 for no trim;
-- ARGV[first + 4..] the pairs. Returns how many ids were new over all timelines. (The trim is
-- trimIdsOnly's, inlined: about 10% of the script's CPU went to calls and lookups per follower.)
local function addIdsToNamed(first)
  local call = redis.call -- a local: this loop runs once per follower
  local head, tail = ARGV[first], ARGV[first + 1]
  local maxLength = tonumber(ARGV[first + 3])
  local from, last = first + 4, #ARGV
  local score, id = ARGV[from], ARGV[from + 1]
  local onePair = last == from + 1 -- the usual fan-out: one activity
  local names, find, sub = ARGV[first + 2], string.find, string.sub
  local added = 0
  local at = 1 -- where the next name starts (a plain find of NUL: cheaper than gmatch)
  while at do
    local nul = find(names, '\0', at, true)
    local z = head .. sub(names, at, (nul or 0) - 1) .. tail
    at = nul and nul + 1
    if onePair then
      added = added + call('ZADD', z, score, id)
    else
      for i = from, last, CHUNK * 2 do
        added = added + call('ZADD', z, unpack(ARGV, i, math.min(i + CHUNK * 2 - 1, last)))
      end
    end
    if maxLength >= 0 then
      local excess = call('ZCARD', z) - maxLength
      if excess > 0 then call('ZREMRANGEBYRANK', z, 0, excess - 1) end
    end
  end
  return added
end

-- Parses entries given as ARGV quadruples (score, id, hasPayload '1'/'0', payload) starting at
-- ARGV[first], n of them, into the argument lists of ZADD, HSET and HDEL (chunked).
local function parseEntries(first, n)
  local parsed = { zadd = {}, hset = {}, hdel = {} }
  local zargs, hargs = {}, {}
  for i = 0, n - 1 do
    local at = first + i * 4
    zargs[#zargs + 1] = ARGV[at]
    zargs[#zargs + 1] = ARGV[at + 1]
    if ARGV[at + 2] == '1' then
      hargs[#hargs + 1] = ARGV[at + 1]
      hargs[#hargs + 1] = ARGV[at + 3]
    else
      parsed.hdel[#parsed.hdel + 1] = ARGV[at + 1]
    end
    if #zargs >= CHUNK * 2 then
      parsed.zadd[#parsed.zadd + 1] = zargs
      zargs = {}
    end
    if #hargs >= CHUNK * 2 then
      parsed.hset[#parsed.hset + 1] = hargs
      hargs = {}
    end
  end
  if #zargs > 0 then parsed.zadd[#parsed.zadd + 1] = zargs end
  if #hargs > 0 then parsed.hset[#parsed.hset + 1] = hargs end
  return parsed
end

-- Upserts parsed entries into one timeline; returns how many ids were new.
local function applyEntries(z, p, parsed)
  local added = 0
  for _, zargs in ipairs(parsed.zadd) do added = added + redis.call('ZADD', z, unpack(zargs)) end
  for _, hargs in ipairs(parsed.hset) do redis.call('HSET', p, unpack(hargs)) end
  if #parsed.hdel > 0 then callChunked('HDEL', p, parsed.hdel) end
  return added
end

-- Upserts entries given as ARGV quadruples starting at ARGV[first], n of them; returns how many
-- ids were new.
local function addEntries(z, p, first, n)
  return applyEntries(z, p, parseEntries(first, n))
end

-- The read of an optimistic update(): { version, score1 or false, payload1 or false, ... } for
-- the ids ARGV[idsFrom..]. Creates the version at `initial` (a random number from the client, so
-- that a timeline deleted and rebuilt does not repeat the versions a client may have cached).
local function readForUpdate(z, p, v, initial, idsFrom)
  redis.call('SET', v, initial, 'NX')
  local out = { redis.call('GET', v) }
  for i = idsFrom, #ARGV do
    local id = ARGV[i]
    out[#out + 1] = redis.call('ZSCORE', z, id) or false
    out[#out + 1] = redis.call('HGET', p, id) or false
  end
  return out
end
