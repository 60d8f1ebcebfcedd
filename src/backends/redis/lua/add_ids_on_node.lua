#!lua flags=allow-cross-slot-keys
--[[
  Cluster fan-out to id-only timelines: add_ids_to_many.lua for the timelines of one master node
  (see add_on_node.lua for the allow-cross-slot-keys flag and the fallback when Redis refuses).
  KEYS[1] z of the first timeline: routes the call and makes Redis check its slot first
  ARGV[1] head, ARGV[2] tail (with the client's whole keyPrefix), ARGV[3] names, ARGV[4]
          maxLength, ARGV[5..] pairs: score, id (see addIdsToNamed in includes/timeline.lua)
  Returns: the total number of new ids over all timelines.
]]
--- @include "timeline"
return addIdsToNamed(1)
