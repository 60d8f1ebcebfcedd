/**
 * The import of a Python flat feed. Internal to the importer.
 * @module
 */
import type { Id } from '../activity/ids.js';
import type { FlatFeedDefinition } from '../feeds/flat-feed.js';
import { isSerializationId } from './python-format.js';
import {
  acceptedActivity,
  type Context,
  loadActivities,
  members,
  READ_CHUNK,
  verbsOf,
} from './python-source.js';

/**
 * Imports one Python flat feed (`RedisFeed`: serialization ids, activities in the activity
 * storage) into a flat feed; returns entries read and written (in a dry run: not yet held).
 */
export async function importFlat(
  ctx: Context,
  feed: FlatFeedDefinition,
  key: string,
  userId: Id,
): Promise<{ entries: number; written: number }> {
  const verbs = verbsOf(ctx, feed);
  const ids = await members(ctx.source, key);
  for (const id of ids) {
    if (!isSerializationId(id)) {
      ctx.onMalformed(key, id, 'not a serialization id (is this a flat feed?)');
    }
  }
  const good = ids.filter(isSerializationId);
  const loaded = await loadActivities(ctx, key, good);
  const activities = good.flatMap((id) => {
    const p = loaded.get(id);
    const activity = p === undefined ? undefined : acceptedActivity(ctx, feed, key, p, verbs);
    return activity === undefined ? [] : [activity];
  });
  const handle = feed.for(userId);
  let written = 0;
  for (let i = 0; i < activities.length; i += READ_CHUNK) {
    const chunk = activities.slice(i, i + READ_CHUNK);
    if (ctx.dryRun) {
      const positions = await Promise.all(chunk.map((a) => handle.indexOf(a.id)));
      written += positions.filter((p) => p < 0).length;
    } else written += await handle.addMany(chunk);
  }
  return { entries: activities.length, written };
}
