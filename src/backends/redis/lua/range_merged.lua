--[[
  rangeMerged on a single node: the k-way merge of several timelines' ranges in one call,
  returning only the merged page (a cluster merges rangeMany pages in the client instead: these
  keys span many slots). Each timeline is read lazily, in batches (each twice the last) of one
  `ZRANGE ... BYSCORE [REV] LIMIT offset count WITHSCORES` within the bounds' scores; entries at a
  bound's score on the wrong side of its id are skipped. Measured on Redis 7.0: a redis.call from
  Lua costs a few microseconds and each reply element about 0.15 us, so this reads about `limit`
  entries plus one batch per timeline, in about one call per timeline (range.lua's rank bounds
  cost 2 to 3 calls per timeline).
  KEYS[2i-1] z, KEYS[2i] p of the i-th timeline (see add.lua), in priority order: at an equal
  (score, id), the entry of the first timeline that holds it is kept
  ARGV[1..11] the query, as ARGV[1..11] of range.lua
  ARGV[12] floorAt: when the first timeline holds this many entries or more (0: never), nothing
           below its lowest entry is read from any timeline (the query's min is raised to it)
  Returns: the first `limit` entries of the union in the requested order, each id once, as a flat
  array id1, score1, payload1 (or false), id2, ... when ARGV[11] asks for payloads, else id1,
  score1, id2, score2, ...
]]
--- @include "range"
local desc, limit = ARGV[1] ~= 'asc', tonumber(ARGV[2])
local hasMin, minScore, minId, minInclusive = ARGV[3] == '1', ARGV[4], ARGV[5], ARGV[6] == '1'
local hasMax, maxScore, maxId, maxInclusive = ARGV[7] == '1', ARGV[8], ARGV[9], ARGV[10] == '1'
local withPayload, floorAt = ARGV[11] == '1', tonumber(ARGV[12])

-- Whether (score a, id ia) is below (score b, id ib) in (score, id) order.
local function below(a, ia, b, ib)
  if a ~= b then return a < b end
  return bytesLess(ia, ib)
end

if floorAt > 0 and redis.call('ZCARD', KEYS[1]) >= floorAt then
  local lowest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local id, score = lowest[1], lowest[2]
  if not hasMin or below(tonumber(minScore), minId, tonumber(score), id) then
    hasMin, minScore, minId, minInclusive = true, score, id, true
  end
end
local minS, maxS = tonumber(minScore), tonumber(maxScore)
-- The score range of every read, in ZRANGE's argument order (high first when newest first).
local from, to = hasMin and minScore or '-inf', hasMax and maxScore or '+inf'
if desc then from, to = to, from end

-- Whether an entry is past the max bound (skipped: such entries come first newest first) or
-- past the min bound (ends the timeline newest first); the other way round oldest first. Only
-- entries at a bound's score can be: the reads are bounded by the scores.
local function overMax(id)
  if maxInclusive then return bytesLess(maxId, id) end
  return not bytesLess(id, maxId)
end
local function underMin(id)
  if minInclusive then return bytesLess(id, minId) end
  return not bytesLess(minId, id)
end
local skip, skipS, stop, stopS = overMax, hasMax and maxS, underMin, hasMin and minS
if not desc then skip, skipS, stop, stopS = underMin, hasMin and minS, overMax, hasMax and maxS end

-- One source per timeline: the offset of its next read, the rows of the last read (flat id,
-- score string) and the position of its head there; done once a read came back short or the
-- far bound was reached.
local sources = {}
local batch = math.max(4, math.ceil(limit / (#KEYS / 2)) + 2)
for i = 1, #KEYS, 2 do
  sources[#sources + 1] = {
    z = KEYS[i], p = KEYS[i + 1], off = 0, size = batch, done = false, rows = {}, at = -1,
    taken = {},
  }
end

-- The merge: the heads (score, id) of the sources in two arrays, nil once a source is exhausted;
-- each step takes the head first in the order (at an equal position, the lower source's).
local headScore, headId = {}, {}

-- Moves source j's head to its next entry (reading the next batch, twice as large as the last,
-- when its rows are used up): the entries past the near bound are skipped, one past the far bound
-- ends the source.
local function advance(j)
  local s = sources[j]
  s.at = s.at + 2
  while true do
    if s.at > #s.rows then
      if s.done then
        headScore[j], headId[j] = nil, nil
        return
      end
      if desc then
        s.rows = redis.call('ZRANGE', s.z, from, to, 'BYSCORE', 'REV', 'LIMIT', s.off, s.size,
          'WITHSCORES')
      else
        s.rows = redis.call('ZRANGE', s.z, from, to, 'BYSCORE', 'LIMIT', s.off, s.size, 'WITHSCORES')
      end
      local count = #s.rows / 2
      s.off, s.done, s.size, s.at = s.off + count, count < s.size, s.size * 2, 1
    else
      local id, score = s.rows[s.at], tonumber(s.rows[s.at + 1])
      if score == stopS and stop(id) then
        s.done, s.rows = true, {}
      elseif score == skipS and skip(id) then
        s.at = s.at + 2
      else
        headScore[j], headId[j] = score, id
        return
      end
    end
  end
end
for j = 1, #sources do advance(j) end

-- The page: flat (id, score) pairs, or (id, score, payload) triples with payloads.
local out, seen, taken = {}, {}, 0
while taken < limit do
  local best, bx, bi
  for j = 1, #sources do
    local x = headScore[j]
    if x ~= nil then
      local better = best == nil
      if not better then
        if x ~= bx then
          better = (x > bx) == desc
        elseif headId[j] ~= bi then
          better = bytesLess(headId[j], bi) ~= desc
        end
      end
      if better then best, bx, bi = j, x, headId[j] end
    end
  end
  if best == nil then break end
  if not seen[bi] then
    local s = sources[best]
    seen[bi] = true
    taken = taken + 1
    out[#out + 1] = bi
    out[#out + 1] = s.rows[s.at + 1]
    if withPayload then
      out[#out + 1] = false
      s.taken[#s.taken + 1] = taken
    end
  end
  advance(best)
end

-- Payloads, read per timeline for the entries it gave.
if withPayload then
  for _, s in ipairs(sources) do
    if #s.taken > 0 then
      local ids = {}
      for k, at in ipairs(s.taken) do ids[k] = out[at * 3 - 2] end
      local payloads = redis.call('HMGET', s.p, unpack(ids))
      for k, at in ipairs(s.taken) do out[at * 3] = payloads[k] or false end
    end
  end
end
return out
