// Live updates: browsers keep a Server-Sent Events connection open (/events) and get the unseen
// count whenever their notification feed changes ("badge" events), and the number of pins newly
// fanned out into their feed ("pins" events, for a "new pins" banner). The changes come from the
// feed definitions' `events.on('change')`: directly in memory mode, or through Redis pub/sub
// (`publishChanges` / `subscribeToChanges` / `subscribeToFeedChanges`) so that writes made by
// another process (a BullMQ worker) reach us too.
import type { ServerResponse } from 'node:http';

export interface BadgeCounts {
  readonly unseen: number;
  readonly unread: number;
}

/** What the browser is told: new badge counts, or how many pins just arrived in its feed. */
export type LiveUpdate =
  | { readonly kind: 'badge'; readonly counts: BadgeCounts }
  | { readonly kind: 'pins'; readonly count: number };

/** Where changes come from: returns a function that stops listening to one user. */
export type ChangeSource = (
  userId: number,
  onUpdate: (update: LiveUpdate) => void,
) => Promise<() => Promise<void> | void>;

export interface LiveHub {
  /**
   * Streams `userId`'s badge to `res` until the client goes away: subscribes first, then sends
   * the current counts from `current()`, so that no change falls in between.
   */
  attach(userId: number, res: ServerResponse, current: () => Promise<BadgeCounts>): Promise<void>;
  /** Clients connected now. */
  size(): number;
  /** Ends every stream (on shutdown). */
  close(): Promise<void>;
}

const KEEPALIVE_MS = 20_000;

export function createLiveHub(source: ChangeSource): LiveHub {
  const clients = new Map<number, Set<ServerResponse>>();
  const stops = new Map<number, Promise<() => Promise<void> | void>>();

  const send = (res: ServerResponse, update: LiveUpdate): void => {
    const data = update.kind === 'badge' ? update.counts : { count: update.count };
    res.write(`event: ${update.kind}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  const detach = async (userId: number, res: ServerResponse): Promise<void> => {
    const set = clients.get(userId);
    if (!set?.delete(res) || set.size > 0) return;
    clients.delete(userId);
    const stop = stops.get(userId);
    stops.delete(userId);
    await (await stop)?.();
  };

  return {
    async attach(userId, res, current) {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      let set = clients.get(userId);
      if (!set) {
        set = new Set();
        clients.set(userId, set);
        stops.set(
          userId,
          source(userId, (update) => {
            for (const client of clients.get(userId) ?? []) send(client, update);
          }),
        );
      }
      set.add(res);
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      res.on('close', () => {
        clearInterval(keepalive);
        void detach(userId, res);
      });
      await stops.get(userId);
      if (!res.writableEnded) send(res, { kind: 'badge', counts: await current() });
    },
    size: () => [...clients.values()].reduce((n, set) => n + set.size, 0),
    async close() {
      for (const [userId, set] of clients) {
        for (const res of set) {
          res.end();
          await detach(userId, res);
        }
      }
    },
  };
}
