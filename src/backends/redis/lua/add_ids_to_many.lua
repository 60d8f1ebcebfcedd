--[[
  Fan-out to id-only timelines (the idsOnly write hint, see add_ids.lua) on a single node, in one
  call: add_to_many.lua without the four keys per timeline. The timelines are named by one
  argument (their escaped feed keys), which costs the client and the server one string instead of
  four keys per timeline; their ZSETs are built from the head and tail the client sends (with its
  ioredis keyPrefix, which ioredis puts before KEYS only). Single node only: the keys are not
  declared (a cluster uses add_ids_on_node.lua).
  ARGV[1] head, ARGV[2] tail, ARGV[3] names, ARGV[4] maxLength, ARGV[5..] pairs: score, id
          (see addIdsToNamed in includes/timeline.lua)
  Returns: the total number of new ids over all timelines.
]]
--- @include "timeline"
return addIdsToNamed(1)
