-- The range read shared by range.lua, range_many.lua and range_on_node.lua (range_merged.lua uses
-- its bytesLess), pasted in at the line `--- @include "range"`. Bounds are turned into ranks:
-- entries with equal scores are ordered by id (Redis orders equal scores by member), so the rank
-- of a bound is ZCOUNT of lower scores plus the ids below it among the entries sharing its score.

-- Byte-wise a < b, like Redis orders members (Lua's `<` on strings follows the server's locale).
local function bytesLess(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- Number of entries of z strictly below (score, id), or at or below it when orEqual.
local function rankOf(z, score, id, orEqual)
  local below = redis.call('ZCOUNT', z, '-inf', '(' .. score)
  local ties = redis.call('ZRANGEBYSCORE', z, score, score)
  for _, member in ipairs(ties) do
    if bytesLess(member, id) or (orEqual and member == id) then below = below + 1 end
  end
  return below
end

-- The first `limit` entries of timeline (z, p) in (score, id) order within the bounds given by
-- the 11 query arguments starting at ARGV[at] (see range.lua), as a flat array id1, score1,
-- payload1 (or false), id2, ... in the requested order.
local function readRange(z, p, at)
  local order, limit = ARGV[at], tonumber(ARGV[at + 1])
  local lo = 0
  local hi = redis.call('ZCARD', z)
  if hi == 0 then return {} end
  if ARGV[at + 2] == '1' then lo = rankOf(z, ARGV[at + 3], ARGV[at + 4], ARGV[at + 5] ~= '1') end
  if ARGV[at + 6] == '1' then hi = rankOf(z, ARGV[at + 7], ARGV[at + 8], ARGV[at + 9] == '1') end
  local first, last
  if order == 'asc' then
    first = lo
    last = math.min(hi, lo + limit) - 1
  else
    last = hi - 1
    first = math.max(lo, hi - limit)
  end
  if last < first then return {} end
  local rows = redis.call('ZRANGE', z, first, last, 'WITHSCORES')
  local count = #rows / 2
  local payloads = {}
  if ARGV[at + 10] == '1' then
    local ids = {}
    for i = 1, count do ids[i] = rows[i * 2 - 1] end
    payloads = redis.call('HMGET', p, unpack(ids))
  end
  local out = {}
  for k = 1, count do
    local i = k
    if order ~= 'asc' then i = count - k + 1 end
    out[#out + 1] = rows[i * 2 - 1]
    out[#out + 1] = rows[i * 2]
    out[#out + 1] = payloads[i] or false
  end
  return out
end
