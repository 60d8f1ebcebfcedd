// The HTTP layer, on node:http: routing, sessions (a cookie naming the demo user), form and JSON
// bodies, static files and the SSE endpoint. Every failure the visitor can cause is a 4xx with a
// message; anything else is logged and answered with a 500 page.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { type App, AppError } from './app.js';
import type { AppDb, User } from './db.js';
import { type Html, html } from './html.js';
import { avatarSvg, pinSvg } from './images.js';
import type { LiveHub } from './live.js';
import {
  activityPage,
  commentItem,
  errorPage,
  feedPage,
  followButton,
  groupItem,
  layout,
  loadMore,
  loveButton,
  newPinPage,
  notificationItem,
  notificationsPage,
  type PinForm,
  pinItems,
  pinPage,
  popularPage,
  profilePage,
  type Section,
  switchPage,
} from './views.js';

const MAX_BODY = 8 * 1024;
const COOKIE = 'pinstream_user';

export interface ServerOptions {
  readonly app: App;
  readonly db: AppDb;
  readonly live: LiveHub;
  /** Folder of app.css, app.js, favicon.svg. */
  readonly publicDir: string;
  /** The user a visitor without a session is. @default the first user */
  readonly defaultUserId?: number | undefined;
  readonly log?: ((message: string) => void) | undefined;
}

interface Ctx {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly viewer: User;
  /** Whether the client wants JSON (app.js sends Accept: application/json). */
  readonly wantsJson: boolean;
}

type Handler = (ctx: Ctx, params: string[]) => Promise<void> | void;

interface Route {
  readonly method: 'GET' | 'POST';
  readonly pattern: RegExp;
  readonly handler: Handler;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown): void =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), {
    'Cache-Control': 'no-store',
  });

const redirect = (res: ServerResponse, location: string, headers: Record<string, string> = {}) =>
  send(res, 303, 'text/plain; charset=utf-8', `See ${location}`, {
    Location: location,
    ...headers,
  });

/** A same-site path to go back to after a form post, or the fallback. */
function backPath(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && value.length < 300
    ? value
    : fallback;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY) throw new AppError(413, 'Too large', 'The request body is too large.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new AppError(413, 'Too large', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  if (type === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new AppError(400, 'Malformed request', 'The request body is not valid JSON.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new AppError(400, 'Malformed request', 'The request body must be a JSON object.');
    }
    return value as Record<string, unknown>;
  }
  if (type === 'application/x-www-form-urlencoded' || type === 'text/plain' || type === '') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  throw new AppError(
    415,
    'Unsupported content type',
    'Send a form (application/x-www-form-urlencoded) or JSON.',
  );
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new AppError(400, 'Malformed address', 'The address contains invalid escapes.');
  }
}

export function createAppServer(options: ServerOptions): Server {
  const { app, db, live, publicDir } = options;
  const log = options.log ?? ((message: string) => console.error(message));
  const fallbackUser = (): User => {
    const user = db.userById(options.defaultUserId ?? 1) ?? db.users()[0];
    if (!user) throw new Error('the database has no users');
    return user;
  };

  const statics = new Map<string, { type: string; body: Buffer }>();
  for (const [name, type] of [
    ['app.css', 'text/css; charset=utf-8'],
    ['app.js', 'text/javascript; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml'],
  ] as const) {
    statics.set(name, { type, body: readFileSync(join(publicDir, name)) });
  }

  const page = async (ctx: Ctx, title: string, section: Section, main: Html, status = 200) => {
    const unseen = (await app.counts(ctx.viewer)).unseen;
    const body = layout({ title, viewer: ctx.viewer, unseen, section, main }).value;
    send(ctx.res, status, 'text/html; charset=utf-8', body, { 'Cache-Control': 'no-store' });
  };

  /** A "load more" request from app.js: the next items and the next link, as JSON. */
  const partial = (ctx: Ctx): boolean => ctx.url.searchParams.get('partial') === '1';
  const sendPartial = (ctx: Ctx, items: Html, next: string | undefined): void =>
    sendJson(ctx.res, 200, { items: items.value, more: loadMore(next).value });
  const cursorOf = (ctx: Ctx): string | undefined =>
    ctx.url.searchParams.get('cursor') ?? undefined;

  const routes: Route[] = [];
  const get = (pattern: RegExp, handler: Handler) =>
    routes.push({ method: 'GET', pattern, handler });
  const post = (pattern: RegExp, handler: Handler) =>
    routes.push({ method: 'POST', pattern, handler });

  get(/^\/$/, ({ res }) => redirect(res, '/feed'));
  get(/^\/healthz$/, ({ res }) => sendJson(res, 200, { ok: true, live: live.size() }));

  get(/^\/feed$/, async (ctx) => {
    const { cards, next } = await app.feed(ctx.viewer, cursorOf(ctx));
    if (partial(ctx)) return sendPartial(ctx, pinItems(cards, ctx.viewer, '/feed'), next);
    const suggestions = cursorOf(ctx) === undefined ? await app.suggestions(ctx.viewer, 4) : [];
    await page(
      ctx,
      'Your feed',
      'feed',
      feedPage({ cards, viewer: ctx.viewer, next, suggestions }),
    );
  });

  get(/^\/popular$/, async (ctx) => {
    const { cards, next } = await app.popular(ctx.viewer, cursorOf(ctx));
    if (partial(ctx)) return sendPartial(ctx, pinItems(cards, ctx.viewer, '/popular'), next);
    await page(ctx, 'Popular', 'popular', popularPage({ cards, viewer: ctx.viewer, next }));
  });

  get(/^\/activity$/, async (ctx) => {
    const { groups, next } = await app.activity(ctx.viewer, cursorOf(ctx));
    if (partial(ctx)) return sendPartial(ctx, html`${groups.map(groupItem)}`, next);
    await page(ctx, 'Activity', 'activity', activityPage({ groups, next }));
  });

  get(/^\/u\/([^/]+)$/, async (ctx, [handle = '']) => {
    const data = await app.profile(ctx.viewer, decodeParam(handle), cursorOf(ctx));
    const path = `/u/${encodeURIComponent(data.user.handle)}`;
    if (partial(ctx)) return sendPartial(ctx, pinItems(data.cards, ctx.viewer, path), data.next);
    const section = data.user.id === ctx.viewer.id ? 'profile' : 'other';
    await page(ctx, data.user.name, section, profilePage({ ...data, viewer: ctx.viewer }));
  });

  get(/^\/notifications$/, async (ctx) => {
    const { items, next } = await app.notifications(ctx.viewer, cursorOf(ctx));
    if (partial(ctx)) return sendPartial(ctx, html`${items.map(notificationItem)}`, next);
    await page(ctx, 'Notifications', 'notifications', notificationsPage({ items, next }));
  });

  get(/^\/pins\/new$/, async (ctx) => {
    const boards = db.boardsOf(ctx.viewer.id);
    const form: PinForm = { title: '', boardId: String(boards[0]?.id ?? '') };
    await page(ctx, 'New pin', 'other', newPinPage({ boards, form }));
  });

  /** The pin page, with a page of its comments (and a refused comment's draft). */
  const showPin = async (ctx: Ctx, id: string, draft?: { text: string; error: string }) => {
    const pin = app.pinOrThrow(id);
    const card = await app.cardOf(pin, ctx.viewer);
    if (!card) throw new AppError(404, 'No such pin', `There is no pin ${id}.`);
    const { items, next } = await app.comments(pin, draft ? undefined : cursorOf(ctx));
    if (partial(ctx)) return sendPartial(ctx, html`${items.map(commentItem)}`, next);
    const main = pinPage({ card, viewer: ctx.viewer, comments: items, next, draft });
    await page(ctx, pin.title, 'pin', main, draft ? 422 : 200);
  };
  get(/^\/pins\/([^/]+)$/, (ctx, [id = '']) => showPin(ctx, id));

  post(/^\/pins\/([^/]+)\/comments$/, async (ctx, [id = '']) => {
    const body = await readBody(ctx.req);
    try {
      const pin = await app.comment(ctx.viewer, id, body.text);
      if (ctx.wantsJson) return sendJson(ctx.res, 201, { pin: pin.id });
      redirect(ctx.res, `/pins/${pin.id}#comments`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422 || ctx.wantsJson) throw error;
      // Show the pin again, with what was typed and the message.
      const text = typeof body.text === 'string' ? body.text.slice(0, 2000) : '';
      await showPin(ctx, id, { text, error: error.message });
    }
  });

  post(/^\/pins$/, async (ctx) => {
    const body = await readBody(ctx.req);
    try {
      const pin = await app.createPin(ctx.viewer, { title: body.title, board: body.board });
      if (ctx.wantsJson) return sendJson(ctx.res, 201, { id: pin.id, title: pin.title });
      redirect(ctx.res, `/u/${encodeURIComponent(ctx.viewer.handle)}?pinned=${pin.id}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422 || ctx.wantsJson) throw error;
      // Show the form again, with what was typed and the message.
      const boards = db.boardsOf(ctx.viewer.id);
      const form: PinForm = {
        title: typeof body.title === 'string' ? body.title.slice(0, 1000) : '',
        boardId: typeof body.board === 'string' ? body.board : '',
      };
      const main = newPinPage({ boards, form, error: error.message });
      await page(ctx, 'New pin', 'other', main, 422);
    }
  });

  const followAction =
    (follow: boolean): Handler =>
    async (ctx, [handle = '']) => {
      const body = await readBody(ctx.req);
      const who = decodeParam(handle);
      const { target, following } = follow
        ? await app.follow(ctx.viewer, who)
        : await app.unfollow(ctx.viewer, who);
      const path = `/u/${encodeURIComponent(target.handle)}`;
      if (!ctx.wantsJson) return redirect(ctx.res, backPath(body.back, path));
      sendJson(ctx.res, 200, {
        following,
        followers: await app.followerCount(target),
        html: followButton(target, following, backPath(body.back, path)).value,
        message: following ? `You follow ${target.name}.` : `You unfollowed ${target.name}.`,
      });
    };
  post(/^\/u\/([^/]+)\/follow$/, followAction(true));
  post(/^\/u\/([^/]+)\/unfollow$/, followAction(false));

  const loveAction =
    (love: boolean): Handler =>
    async (ctx, [id = '']) => {
      const body = await readBody(ctx.req);
      const pin = love ? await app.love(ctx.viewer, id) : await app.unlove(ctx.viewer, id);
      const back = backPath(body.back, `/pins/${pin.id}`);
      if (!ctx.wantsJson) return redirect(ctx.res, back);
      const card = await app.cardOf(pin, ctx.viewer);
      sendJson(ctx.res, 200, {
        loved: card?.loved ?? false,
        loves: card?.loves ?? 0,
        html: card ? loveButton(card, ctx.viewer, back).value : '',
      });
    };
  post(/^\/pins\/([^/]+)\/love$/, loveAction(true));
  post(/^\/pins\/([^/]+)\/unlove$/, loveAction(false));

  get(/^\/switch$/, async (ctx) => {
    await page(ctx, 'Switch user', 'other', switchPage({ users: db.users(), viewer: ctx.viewer }));
  });
  post(/^\/switch$/, async (ctx) => {
    const body = await readBody(ctx.req);
    const user = app.userOrThrow(typeof body.user === 'string' ? body.user : '');
    const cookie = `${COOKIE}=${user.id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000`;
    if (ctx.wantsJson) {
      return send(ctx.res, 200, 'application/json', JSON.stringify({ user: user.handle }), {
        'Set-Cookie': cookie,
      });
    }
    redirect(ctx.res, '/feed', { 'Set-Cookie': cookie });
  });

  get(/^\/events$/, async (ctx) => {
    await live.attach(ctx.viewer.id, ctx.res, () => app.counts(ctx.viewer));
  });

  get(/^\/img\/pins\/(\d{1,12})\.svg$/, (ctx, [id = '']) => {
    const pin = app.pinOrThrow(id);
    send(ctx.res, 200, 'image/svg+xml', pinSvg(pin.seed, pin.boardName), {
      'Cache-Control': 'public, max-age=86400',
    });
  });
  get(/^\/img\/avatars\/(\d{1,12})\.svg$/, (ctx, [id = '']) => {
    const user = db.userById(Number(id));
    if (!user) throw new AppError(404, 'Not found', 'No such avatar.');
    send(ctx.res, 200, 'image/svg+xml', avatarSvg(user.name, user.hue), {
      'Cache-Control': 'public, max-age=86400',
    });
  });
  get(/^\/static\/([a-z.]+)$/, (ctx, [name = '']) => {
    const file = statics.get(name);
    if (!file) throw new AppError(404, 'Not found', 'No such file.');
    send(ctx.res, 200, file.type, file.body, { 'Cache-Control': 'no-cache' });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return send(res, 400, 'text/plain; charset=utf-8', 'Malformed request address.');
    }
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const accept = req.headers.accept ?? '';
    const wantsJson = accept.includes('application/json') && !accept.includes('text/html');
    const matches = routes
      .map((route) => ({ route, m: route.pattern.exec(url.pathname) }))
      .filter((x) => x.m !== null);
    const found = matches.find((x) => x.route.method === method);

    let viewer: User;
    try {
      const id = Number(cookies(req).get(COOKIE));
      viewer = (Number.isSafeInteger(id) && db.userById(id)) || fallbackUser();
    } catch (error) {
      log(`session lookup failed: ${(error as Error).stack ?? error}`);
      return send(res, 500, 'text/plain; charset=utf-8', 'Internal error.');
    }
    const ctx: Ctx = { req, res, url, viewer, wantsJson };

    const fail = async (
      status: number,
      title: string,
      message: string,
      extra: Record<string, string> = {},
    ) => {
      // After a 413 the rest of the body is unread: close the connection instead of reusing it.
      const headers = status === 413 ? { ...extra, Connection: 'close' } : extra;
      if (wantsJson || url.searchParams.get('partial') === '1') {
        return send(
          res,
          status,
          'application/json; charset=utf-8',
          JSON.stringify({ error: message }),
          headers,
        );
      }
      try {
        const unseen = (await app.counts(viewer)).unseen;
        const body = layout({
          title,
          viewer,
          unseen,
          section: 'other',
          main: errorPage(status, title, message),
        }).value;
        send(res, status, 'text/html; charset=utf-8', body, headers);
      } catch {
        send(res, status, 'text/plain; charset=utf-8', `${title}: ${message}`, headers);
      }
    };

    if (!found) {
      if (matches.length > 0) {
        const allow = [...new Set(matches.map((x) => x.route.method))].join(', ');
        return fail(405, 'Method not allowed', `Use ${allow} here.`, { Allow: allow });
      }
      return fail(404, 'Page not found', 'There is nothing at this address.');
    }
    if (method === 'POST') {
      // Forms and app.js post from this origin; refuse cross-site posts.
      const origin = req.headers.origin;
      if (origin !== undefined && hostOf(origin) !== req.headers.host) {
        return fail(403, 'Forbidden', 'Cross-site requests are not accepted.');
      }
    }
    try {
      await found.route.handler(ctx, found.m!.slice(1));
    } catch (error) {
      if (error instanceof AppError) return fail(error.status, error.title, error.message);
      log(`${req.method} ${url.pathname} failed: ${(error as Error)?.stack ?? error}`);
      if (res.headersSent) return void res.end();
      return fail(500, 'Something went wrong', 'The server failed to answer. Try again.');
    }
  }

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`unhandled: ${(error as Error)?.stack ?? error}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Internal error.');
      else res.end();
    });
  });
}
