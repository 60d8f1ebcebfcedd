--[[
  Reads the first `limit` entries of a timeline in (score, id) order, within optional bounds.
  Bounds are turned into ranks: entries with equal scores are ordered by id (Redis orders equal
  scores by member), so the rank of a bound is ZCOUNT of lower scores plus the ids below it among
  the entries sharing its score.
  KEYS[1] z, KEYS[2] p (see add.lua)
  ARGV[1] order 'desc' or 'asc'
  ARGV[2] limit
  ARGV[3] hasMin '1'/'0', ARGV[4] min score, ARGV[5] min id, ARGV[6] min inclusive '1'/'0'
  ARGV[7] hasMax '1'/'0', ARGV[8] max score, ARGV[9] max id, ARGV[10] max inclusive '1'/'0'
  ARGV[11] withPayload '1'/'0'
  Returns: a flat array id1, score1, payload1 (or false), id2, ... in the requested order.
]]
local z = KEYS[1]

-- Byte-wise a < b, like Redis orders members (Lua's `<` on strings follows the server's locale).
local function bytesLess(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- Number of entries strictly below (score, id), or at or below it when orEqual.
local function rankOf(score, id, orEqual)
  local below = redis.call('ZCOUNT', z, '-inf', '(' .. score)
  local ties = redis.call('ZRANGEBYSCORE', z, score, score)
  for _, member in ipairs(ties) do
    if bytesLess(member, id) or (orEqual and member == id) then below = below + 1 end
  end
  return below
end

local lo = 0
local hi = redis.call('ZCARD', z)
if ARGV[3] == '1' then lo = rankOf(ARGV[4], ARGV[5], ARGV[6] ~= '1') end
if ARGV[7] == '1' then hi = rankOf(ARGV[8], ARGV[9], ARGV[10] == '1') end
local limit = tonumber(ARGV[2])
local first, last
if ARGV[1] == 'asc' then
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
if ARGV[11] == '1' then
  local ids = {}
  for i = 1, count do ids[i] = rows[i * 2 - 1] end
  payloads = redis.call('HMGET', KEYS[2], unpack(ids))
end
local out = {}
for k = 1, count do
  local i = k
  if ARGV[1] ~= 'asc' then i = count - k + 1 end
  out[#out + 1] = rows[i * 2 - 1]
  out[#out + 1] = rows[i * 2]
  out[#out + 1] = payloads[i] or false
end
return out
