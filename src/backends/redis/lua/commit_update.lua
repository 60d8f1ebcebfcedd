--[[
  Second step of an optimistic update(): applies the changes only if the timeline's version is
  still the expected one (read by read_for_update.lua, or cached by the client from its last
  commit), then bumps it. All or nothing.
  KEYS[1..4] z, p, v, mk (see add.lua); KEYS[5..] activity hashes to write first (may be none)
  ARGV[1] expected version
  ARGV[2] maxLength, or -1 for no trim
  ARGV[3] nPut, then nPut quadruples: score, id, hasPayload ('1' or '0'), payload
  then nRemove, then nRemove ids
  then nMark, then nMark pairs: marker name, id
  then nGuessed, then nGuessed ids the client guessed absent (it knows the version but not them)
  then for each activity hash KEYS[4 + h]: nPairs, then nPairs pairs: activity id, payload
  then the initial version (see read_for_update.lua), then the ids the update reads
  Returns: { 1, new version, entries trimmed } when applied;
  { 0, version, score1 or false, payload1 or false, ... } when the version changed or a guessed
  id is in the timeline: nothing was
  written, and the reply is what read_for_update.lua would return now (compute again and retry);
  { 'absent', name, id } when a mark names an id that would not be in the timeline (nothing written).
  The activity hashes are written in every case (activity-outbox.ts: the activities of the same
  add, which do not depend on the version; an update computed again is sent without them).
]]
--- @include "timeline"
local z, p, v, mk = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

local at = 3
local nPut = tonumber(ARGV[at])
local putFirst = at + 1
local putting = {}
for i = 0, nPut - 1 do putting[ARGV[putFirst + i * 4 + 1]] = true end
at = putFirst + nPut * 4
local nRemove = tonumber(ARGV[at])
local removing = {}
local removeIdList = {}
for i = 1, nRemove do
  removing[ARGV[at + i]] = true
  removeIdList[i] = ARGV[at + i]
end
at = at + nRemove + 1
local nMark = tonumber(ARGV[at])
local markFirst = at + 1
local guessedAt = markFirst + nMark * 2
local nGuessed = tonumber(ARGV[guessedAt])
local initialAt = guessedAt + nGuessed + 1
for h = 5, #KEYS do
  local nPairs = tonumber(ARGV[initialAt])
  for i = initialAt + 1, initialAt + nPairs * 2, CHUNK * 2 do
    redis.call('HSET', KEYS[h], unpack(ARGV, i, math.min(i + CHUNK * 2 - 1, initialAt + nPairs * 2)))
  end
  initialAt = initialAt + nPairs * 2 + 1
end

local stale = redis.call('GET', v) ~= ARGV[1]
for i = 1, nGuessed do
  if stale then break end
  stale = redis.call('ZSCORE', z, ARGV[guessedAt + i]) ~= false
end
if stale then
  local read = readForUpdate(z, p, v, ARGV[initialAt], initialAt + 1)
  table.insert(read, 1, 0)
  return read
end

-- Check every mark before writing anything.
for i = 0, nMark - 1 do
  local id = ARGV[markFirst + i * 2 + 1]
  local present = putting[id] or (not removing[id] and redis.call('ZSCORE', z, id))
  if not present then return { 'absent', ARGV[markFirst + i * 2], id } end
end

removeIds(z, p, mk, removeIdList)
if nPut == 1 then
  -- One entry (an add that changed one group): its ZADD and HSET without addEntries' argument
  -- tables (about 3 us of the script's 35 per notification add, measured).
  local id = ARGV[putFirst + 1]
  redis.call('ZADD', z, ARGV[putFirst], id)
  if ARGV[putFirst + 2] == '1' then
    redis.call('HSET', p, id, ARGV[putFirst + 3])
  else
    redis.call('HDEL', p, id)
  end
elseif nPut > 0 then
  addEntries(z, p, putFirst, nPut)
end
-- One SADD per run of marks of the same marker (the client sends them marker by marker), and one
-- SADD of the markers' names into mk.
if nMark > 0 then
  local names, ids, last = {}, {}, nil
  for i = 0, nMark do
    local name = i < nMark and ARGV[markFirst + i * 2] or nil
    if name ~= last and last ~= nil then
      callChunked('SADD', markerKey(mk, last), ids)
      names[#names + 1] = last
      ids = {}
    end
    last = name
    if name ~= nil then ids[#ids + 1] = ARGV[markFirst + i * 2 + 1] end
  end
  callChunked('SADD', mk, names)
end
-- Only removeIds and trimTo empty a marker's SET, and both drop its name from mk then (forget).
local trimmed = trimTo(z, p, mk, tonumber(ARGV[2]))
return { 1, redis.call('INCR', v), trimmed }
