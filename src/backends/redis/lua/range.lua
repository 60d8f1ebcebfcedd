--[[
  Reads the first `limit` entries of a timeline in (score, id) order, within optional bounds
  (see includes/range.lua).
  KEYS[1] z, KEYS[2] p (see add.lua)
  ARGV[1] order 'desc' or 'asc'
  ARGV[2] limit
  ARGV[3] hasMin '1'/'0', ARGV[4] min score, ARGV[5] min id, ARGV[6] min inclusive '1'/'0'
  ARGV[7] hasMax '1'/'0', ARGV[8] max score, ARGV[9] max id, ARGV[10] max inclusive '1'/'0'
  ARGV[11] withPayload '1'/'0'
  Returns: a flat array id1, score1, payload1 (or false), id2, ... in the requested order.
]]
--- @include "range"
return readRange(KEYS[1], KEYS[2], 1)
