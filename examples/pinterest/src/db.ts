// The app's own data (users, boards, pins) in SQLite through better-sqlite3. Follows and loves
// live in the same database, in stream-framework's follow graph and reactions (social.ts). The
// feeds are derived from both: they can always be rebuilt from them (see feeds.ts).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface User {
  readonly id: number;
  readonly handle: string;
  readonly name: string;
  readonly bio: string;
  readonly hue: number;
  /** When the user last opened their notifications (ms), so a rebuild keeps them seen. */
  readonly notificationsSeenAt: number;
}

export interface Board {
  readonly id: number;
  readonly userId: number;
  readonly name: string;
}

export interface Pin {
  readonly id: number;
  readonly userId: number;
  readonly boardId: number;
  readonly boardName: string;
  readonly title: string;
  /** Drives the generated picture (images.ts). */
  readonly seed: number;
  readonly createdAt: number;
}

export interface Follow {
  readonly followerId: number;
  readonly followeeId: number;
  readonly createdAt: number;
}

export interface Love {
  readonly userId: number;
  readonly pinId: number;
  readonly createdAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY,
  handle TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  bio TEXT NOT NULL,
  hue INTEGER NOT NULL,
  notifications_seen_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS boards (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  UNIQUE (user_id, name)
);
CREATE TABLE IF NOT EXISTS pins (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  board_id INTEGER NOT NULL REFERENCES boards(id),
  title TEXT NOT NULL,
  seed INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS pins_by_user ON pins (user_id, created_at);
`;

interface UserRow {
  id: number;
  handle: string;
  name: string;
  bio: string;
  hue: number;
  notifications_seen_at: number;
}
interface PinRow {
  id: number;
  user_id: number;
  board_id: number;
  board_name: string;
  title: string;
  seed: number;
  created_at: number;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  handle: r.handle,
  name: r.name,
  bio: r.bio,
  hue: r.hue,
  notificationsSeenAt: r.notifications_seen_at,
});
const toPin = (r: PinRow): Pin => ({
  id: r.id,
  userId: r.user_id,
  boardId: r.board_id,
  boardName: r.board_name,
  title: r.title,
  seed: r.seed,
  createdAt: r.created_at,
});

const PIN_SELECT = `SELECT p.id, p.user_id, p.board_id, b.name AS board_name, p.title, p.seed, p.created_at
  FROM pins p JOIN boards b ON b.id = p.board_id`;

export type AppDb = ReturnType<typeof openDb>;

/** Opens (and creates) the SQLite file; `':memory:'` keeps everything in memory. */
export function openDb(file: string) {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);

  const q = {
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    userById: db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?'),
    userByHandle: db.prepare<[string], UserRow>('SELECT * FROM users WHERE handle = ?'),
    users: db.prepare<[], UserRow>('SELECT * FROM users ORDER BY id'),
    insertUser: db.prepare(
      'INSERT INTO users (id, handle, name, bio, hue, notifications_seen_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    setSeenAt: db.prepare('UPDATE users SET notifications_seen_at = ? WHERE id = ?'),
    boardsOf: db.prepare<[number], { id: number; user_id: number; name: string }>(
      'SELECT id, user_id, name FROM boards WHERE user_id = ? ORDER BY id',
    ),
    boardById: db.prepare<[number], { id: number; user_id: number; name: string }>(
      'SELECT id, user_id, name FROM boards WHERE id = ?',
    ),
    insertBoard: db.prepare('INSERT INTO boards (id, user_id, name) VALUES (?, ?, ?)'),
    pinById: db.prepare<[number], PinRow>(`${PIN_SELECT} WHERE p.id = ?`),
    pinsOf: db.prepare<[number], PinRow>(`${PIN_SELECT} WHERE p.user_id = ? ORDER BY p.created_at`),
    insertPin: db.prepare(
      'INSERT INTO pins (id, user_id, board_id, title, seed, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    addPin: db.prepare(
      'INSERT INTO pins (user_id, board_id, title, seed, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    pinCount: db.prepare<[number], number>('SELECT count(*) FROM pins WHERE user_id = ?').pluck(),
  };

  const inList = (ids: readonly number[]): string => ids.map(() => '?').join(',');

  return {
    /** The connection, for stream-framework's SQLite storage of follows and loves (social.ts). */
    database: db as Database.Database,
    close: (): void => void db.close(),
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    getMeta: (key: string): string | undefined => q.getMeta.get(key)?.value,
    setMeta: (key: string, value: string): void => void q.setMeta.run(key, value),

    userById: (id: number): User | undefined => {
      const row = q.userById.get(id);
      return row && toUser(row);
    },
    userByHandle: (handle: string): User | undefined => {
      const row = q.userByHandle.get(handle);
      return row && toUser(row);
    },
    users: (): User[] => q.users.all().map(toUser),
    usersByIds(ids: readonly number[]): Map<number, User> {
      if (ids.length === 0) return new Map();
      const rows = db
        .prepare<number[], UserRow>(`SELECT * FROM users WHERE id IN (${inList(ids)})`)
        .all(...ids);
      return new Map(rows.map((r) => [r.id, toUser(r)]));
    },
    insertUser: (u: User): void =>
      void q.insertUser.run(u.id, u.handle, u.name, u.bio, u.hue, u.notificationsSeenAt),
    setNotificationsSeenAt: (userId: number, at: number): void => void q.setSeenAt.run(at, userId),
    pinCount: (userId: number): number => q.pinCount.get(userId) ?? 0,

    boardsOf: (userId: number): Board[] =>
      q.boardsOf.all(userId).map((r) => ({ id: r.id, userId: r.user_id, name: r.name })),
    boardById(id: number): Board | undefined {
      const r = q.boardById.get(id);
      return r && { id: r.id, userId: r.user_id, name: r.name };
    },
    insertBoard: (b: Board): void => void q.insertBoard.run(b.id, b.userId, b.name),

    pinById: (id: number): Pin | undefined => {
      const row = q.pinById.get(id);
      return row && toPin(row);
    },
    pinsByIds(ids: readonly number[]): Map<number, Pin> {
      if (ids.length === 0) return new Map();
      const rows = db
        .prepare<number[], PinRow>(`${PIN_SELECT} WHERE p.id IN (${inList(ids)})`)
        .all(...ids);
      return new Map(rows.map((r) => [r.id, toPin(r)]));
    },
    pinsOf: (userId: number): Pin[] => q.pinsOf.all(userId).map(toPin),
    insertPin: (p: Omit<Pin, 'boardName'>): void =>
      void q.insertPin.run(p.id, p.userId, p.boardId, p.title, p.seed, p.createdAt),
    /** Adds a pin; returns it with its new id. */
    addPin(userId: number, boardId: number, title: string, seed: number, createdAt: number): Pin {
      const id = Number(q.addPin.run(userId, boardId, title, seed, createdAt).lastInsertRowid);
      return toPin(q.pinById.get(id)!);
    },

    stats: () =>
      db
        .prepare<[], { users: number; pins: number }>(
          'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM pins) AS pins',
        )
        .get()!,
  };
}
