--[[
  remove.lua for id-only timelines (the idsOnly hint: no payloads, no markers, no version; see
  add_ids.lua): removes ids from one ZSET, its only declared key.
  KEYS[1] z   timeline ZSET
  ARGV[1..] entry ids
  Returns: the number of entries removed.
]]
--- @include "timeline"
return callChunked('ZREM', KEYS[1], ARGV)
