// Deterministic demo data: a few hundred users with boards, a few thousand pins, a follow graph
// where popular people attract more followers (preferential attachment), and loves. The same
// seed gives the same data; times are laid out over the two weeks before `now`.
import type { AppDb, Love } from './db.js';
import type { Feeds } from './feeds.js';
import { createRandom } from './random.js';

export interface SeedOptions {
  readonly users: number;
  readonly seed: number;
  /** The end of the seeded history (ms). */
  readonly now: number;
}

export const TOPICS: readonly { name: string; hue: number; things: readonly string[] }[] = [
  {
    name: 'Kitchens',
    hue: 20,
    things: ['open shelving', 'terracotta tiles', 'copper pans', 'butcher block', 'pantry'],
  },
  {
    name: 'Cabins',
    hue: 140,
    things: ['A-frame', 'wood stove', 'porch swing', 'log cabin', 'lakeside deck'],
  },
  {
    name: 'Reading nooks',
    hue: 35,
    things: ['window seat', 'book wall', 'reading chair', 'attic corner', 'library ladder'],
  },
  {
    name: 'Street food',
    hue: 5,
    things: ['taco stand', 'noodle bowl', 'bao buns', 'night market', 'falafel wrap'],
  },
  {
    name: 'Ceramics',
    hue: 200,
    things: ['speckled mug', 'glaze test', 'bud vase', 'stoneware bowl', 'raku plate'],
  },
  {
    name: 'Gardens',
    hue: 100,
    things: ['herb spiral', 'raised beds', 'wildflower meadow', 'greenhouse', 'fern corner'],
  },
  {
    name: 'Tiny homes',
    hue: 260,
    things: ['loft bed', 'fold-out desk', 'van build', 'micro kitchen', 'shipping container'],
  },
  {
    name: 'Bikes',
    hue: 330,
    things: ['gravel bike', 'handlebar bag', 'fixie', 'bike shed', 'touring setup'],
  },
  {
    name: 'Typography',
    hue: 50,
    things: ['letterpress card', 'hand lettering', 'type specimen', 'neon sign', 'poster grid'],
  },
  {
    name: 'Watercolor',
    hue: 180,
    things: ['wet-on-wet sky', 'botanical study', 'color swatches', 'sea stones', 'city sketch'],
  },
  {
    name: 'Mountains',
    hue: 220,
    things: ['alpine lake', 'summit ridge', 'trail hut', 'snow couloir', 'valley fog'],
  },
  {
    name: 'Baking',
    hue: 30,
    things: ['sourdough loaf', 'cinnamon rolls', 'fruit galette', 'focaccia art', 'layer cake'],
  },
];

const ADJECTIVES = [
  'Cozy',
  'Minimal',
  'Bright',
  'Rustic',
  'Moody',
  'Sunny',
  'Tiny',
  'Bold',
  'Quiet',
  'Colorful',
  'Vintage',
  'Modern',
  'Simple',
  'Dreamy',
  'Weekend',
];

const FIRST = [
  'Ana',
  'Ben',
  'Cleo',
  'Dev',
  'Eli',
  'Fatima',
  'Gus',
  'Hana',
  'Ivan',
  'Jade',
  'Kofi',
  'Lena',
  'Marco',
  'Nia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sami',
  'Tara',
  'Uma',
  'Viktor',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zoe',
  'Aiko',
  'Bruno',
  'Chioma',
  'Diego',
  'Elin',
  'Farah',
  'Goran',
  'Hugo',
  'Ines',
  'Jonas',
  'Kiri',
  'Luca',
  'Maya',
  'Noor',
];
const LAST = [
  'Alvarez',
  'Brooks',
  'Chen',
  'Desai',
  'Eriksen',
  'Fofana',
  'Garcia',
  'Haddad',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lindqvist',
  'Mensah',
  'Novak',
  'Okafor',
  'Park',
  'Quispe',
  'Rossi',
  'Silva',
  'Tanaka',
  'Umarov',
  'Varga',
  'Weber',
  'Yilmaz',
  'Zhang',
];
const BIOS = [
  'Collecting ideas one pin at a time.',
  'Weekend maker, weekday planner.',
  'Mostly food, sometimes mountains.',
  'Small spaces, big plans.',
  'Color enthusiast.',
  'Sketching, baking, repeating.',
  'Always rearranging the living room.',
  'On a bike whenever possible.',
];

const DAY = 86_400_000;
const HISTORY_DAYS = 14;

/** Pin title for a topic. */
export function pinTitle(rand: () => number, topic: (typeof TOPICS)[number]): string {
  const adjective = ADJECTIVES[Math.floor(rand() * ADJECTIVES.length)] ?? 'Cozy';
  const thing = topic.things[Math.floor(rand() * topic.things.length)] ?? 'idea';
  return `${adjective} ${thing}`;
}

/**
 * Fills an empty database with demo data: users, boards and pins; returns the follows and loves
 * to write through the follow graph and reactions ({@link seedSocial}).
 */
export function seedDatabase(db: AppDb, options: SeedOptions) {
  const r = createRandom(options.seed);
  const start = options.now - HISTORY_DAYS * DAY;
  const userCount = options.users;
  // Activity level per user: a few very active pinners, many occasional ones.
  const activity = Array.from({ length: userCount + 1 }, () => r.next() ** 2.2);

  let boards = 0;
  let pins = 0;
  const follows = new Map<number, number[]>();
  const loves: Love[] = [];
  db.transaction(() => {
    const pinsByUser = new Map<number, { id: number; createdAt: number }[]>();
    const used = new Set<string>();
    const names = new Set<string>();
    for (let id = 1; id <= userCount; id++) {
      // The first four are the demo's Ana Alvarez, Ben Brooks, Cleo Chen and Dev Desai.
      let first = FIRST[(id - 1) % FIRST.length]!;
      let last = LAST[(id - 1) % LAST.length]!;
      // Names are unique while there are combinations left (40 × 25).
      for (
        let tries = 0;
        id > 4 && (tries === 0 || (names.has(`${first} ${last}`) && tries < 50));
        tries++
      ) {
        first = r.pick(FIRST);
        last = r.pick(LAST);
      }
      names.add(`${first} ${last}`);
      let handle = `${first}${last[0]}`.toLowerCase();
      for (let n = 2; used.has(handle); n++) handle = `${first}${last[0]}${n}`.toLowerCase();
      used.add(handle);
      if (id <= 4) activity[id] = 0.6; // active enough to have something to show
      db.insertUser({
        id,
        handle,
        name: `${first} ${last}`,
        bio: r.pick(BIOS),
        hue: r.int(0, 359),
        // Notifications older than a day are seen; the last day's are new.
        notificationsSeenAt: options.now - DAY,
      });
      const topics = [...TOPICS].sort(() => r.next() - 0.5).slice(0, r.int(2, 4));
      const userBoards = topics.map((topic) => ({ id: ++boards, topic }));
      for (const b of userBoards) db.insertBoard({ id: b.id, userId: id, name: b.topic.name });

      const pinCount = Math.round(2 + (activity[id] ?? 0) * 28);
      const mine: { id: number; createdAt: number }[] = [];
      for (let i = 0; i < pinCount; i++) {
        const board = r.pick(userBoards);
        // Skewed towards recent days, as real feeds are.
        const createdAt = Math.round(options.now - (1 - r.next() ** 0.6) * HISTORY_DAYS * DAY);
        const pin = {
          id: ++pins,
          userId: id,
          boardId: board.id,
          title: pinTitle(r.next, board.topic),
          seed: r.int(1, 2 ** 31 - 1),
          createdAt: Math.max(start, Math.min(options.now - 60_000, createdAt)),
        };
        db.insertPin(pin);
        mine.push({ id: pin.id, createdAt: pin.createdAt });
      }
      pinsByUser.set(id, mine);
    }

    // Follow graph: each user follows 5-40 others, picked with weight 1 + 3 * popularity, where
    // popularity grows with each follower gained (preferential attachment).
    const popularity = new Float64Array(userCount + 1);
    for (let id = 1; id <= userCount; id++) popularity[id] = activity[id] ?? 0;
    const followingOf = new Map<number, Set<number>>();
    for (let id = 1; id <= userCount; id++) {
      const want = Math.min(userCount - 1, r.int(5, 12) + Math.round((activity[id] ?? 0) * 28));
      const set = new Set<number>();
      let total = 0;
      for (let j = 1; j <= userCount; j++) total += 1 + 3 * (popularity[j] ?? 0);
      while (set.size < want) {
        let x = r.next() * total;
        let j = 1;
        for (; j < userCount; j++) {
          x -= 1 + 3 * (popularity[j] ?? 0);
          if (x <= 0) break;
        }
        if (j === id || set.has(j)) continue;
        set.add(j);
        popularity[j] = (popularity[j] ?? 0) + 0.05;
      }
      followingOf.set(id, set);
      follows.set(id, [...set]);
      // Earlier versions drew a follow time here; the graph records its own (the current time),
      // but drawing it keeps the generated loves the same as before.
      for (const _ of set) r.next();
    }

    // Loves: users love some pins of the people they follow, after those pins were made.
    for (let id = 1; id <= userCount; id++) {
      const chance = 0.04 + (activity[id] ?? 0) * 0.12;
      for (const followee of followingOf.get(id) ?? []) {
        for (const pin of pinsByUser.get(followee) ?? []) {
          if (!r.chance(chance)) continue;
          const createdAt = pin.createdAt + Math.round(r.next() * (options.now - pin.createdAt));
          loves.push({ userId: id, pinId: pin.id, createdAt });
        }
      }
    }
  });
  return { users: userCount, boards, pins, follows, loves };
}

/**
 * Writes the seed's follows through the follow graph (one call per follower; the graph records
 * them at the current time) and its loves through the reactions, each notifying the pin's author.
 */
export async function seedSocial(
  feeds: Feeds,
  db: AppDb,
  plan: ReturnType<typeof seedDatabase>,
): Promise<{ follows: number; loves: number }> {
  let follows = 0;
  for (const [followerId, followeeIds] of plan.follows) {
    follows += await feeds.graph.follow(followerId, followeeIds);
  }
  let loves = 0;
  for (const love of plan.loves) {
    const pin = db.pinById(love.pinId);
    if (pin && (await feeds.love(love.userId, pin, love.createdAt))) loves++;
  }
  return { follows, loves };
}
