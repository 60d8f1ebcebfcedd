// Bad input against the example app over plain HTTP: every mistake a visitor (or a double click)
// can make gets a clear 4xx message, never a 500, and leaves the feeds intact.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RunningApp, startApp } from './support.js';

let app: RunningApp;
const ANA = 1; // @anaa, user ids follow the generated order
const BEN = 2; // @benb

before(async () => {
  app = await startApp();
});
after(async () => {
  await app?.stop();
});

interface Call {
  readonly as?: number;
  readonly json?: boolean;
  readonly body?: string;
  readonly type?: string;
  readonly headers?: Record<string, string>;
  readonly method?: string;
}

async function call(path: string, options: Call = {}) {
  const headers: Record<string, string> = { ...options.headers };
  headers.cookie = `pinstream_user=${options.as ?? ANA}`;
  if (options.json) headers.accept = 'application/json';
  if (options.body !== undefined) {
    headers['content-type'] = options.type ?? 'application/x-www-form-urlencoded';
  }
  const response = await fetch(`${app.url}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body,
    redirect: 'manual',
  });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers };
}

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

/** The first board id of a user, from the new pin form. */
async function boardOf(user: number): Promise<string> {
  const { text } = await call('/pins/new', { as: user });
  const m = /<option value="(\d+)"/.exec(text);
  assert.ok(m?.[1], 'the form lists boards');
  return m[1];
}

/** Every pin id of a user's whole feed, following the "load more" links. */
async function wholeFeed(as: number): Promise<string[]> {
  const ids: string[] = [];
  let path: string | undefined = '/feed?partial=1';
  while (path) {
    const r = await call(path, { as, json: true });
    assert.equal(r.status, 200);
    const { items, more } = JSON.parse(r.text) as { items: string; more: string };
    ids.push(...pinIds(items));
    const next = /href="([^"]+)"/.exec(more)?.[1]?.replaceAll('&amp;', '&');
    path = next ? `${next}&partial=1` : undefined;
  }
  return ids;
}

/** Pin ids shown on a page, in order. */
const pinIds = (page: string): string[] =>
  [...page.matchAll(/data-pin-id="(\d+)"/g)].map((m) => m[1] ?? '');

describe('pin titles', () => {
  test('an empty or blank title re-shows the form with a message (422)', async () => {
    const board = await boardOf(ANA);
    for (const title of ['', '   ', '\n\t']) {
      const r = await call('/pins', { body: form({ title, board }) });
      assert.equal(r.status, 422);
      assert.match(r.text, /Give your pin a title\./);
      assert.match(r.text, /role="alert"/);
      assert.match(r.text, /aria-invalid="true"/);
    }
    const missing = await call('/pins', { body: form({ board }) });
    assert.equal(missing.status, 422);
  });

  test('a title over 100 characters is refused with its length; 100 is fine', async () => {
    const board = await boardOf(ANA);
    const long = 'x'.repeat(101);
    const r = await call('/pins', { body: form({ title: long, board }) });
    assert.equal(r.status, 422);
    assert.match(r.text, /at most 100 characters; this one has 101/);
    assert.match(r.text, new RegExp(`value="${long}"`), 'what was typed is kept');
    const json = await call('/pins', { body: form({ title: long, board }), json: true });
    assert.equal(json.status, 422);
    assert.match(JSON.parse(json.text).error, /at most 100 characters/);

    const ok = await call('/pins', { body: form({ title: 'y'.repeat(100), board }) });
    assert.equal(ok.status, 303);
    assert.match(ok.headers.get('location') ?? '', /^\/u\/anaa\?pinned=\d+$/);
  });

  test('control characters and markup: refused or escaped, never injected', async () => {
    const board = await boardOf(ANA);
    const bell = await call('/pins', { body: form({ title: 'ding\u0007', board }) });
    assert.equal(bell.status, 422);
    assert.match(bell.text, /control characters/);

    const markup = '<script>alert(1)</script> & "quotes"';
    const r = await call('/pins', { body: form({ title: markup, board }), json: true });
    assert.equal(r.status, 201);
    const { id } = JSON.parse(r.text) as { id: number };
    const page = await call(`/pins/${id}`);
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes('<script>alert(1)'), 'the title is escaped');
    assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quotes&quot;/);
  });

  test('a board that is not yours, or no board, is refused', async () => {
    const bens = await boardOf(BEN);
    for (const board of [bens, '', 'abc', '999999', '-1']) {
      const r = await call('/pins', { body: form({ title: 'Nice', board }), json: true });
      assert.equal(r.status, 422, `board ${JSON.stringify(board)}`);
      assert.equal(JSON.parse(r.text).error, 'Pick one of your boards.');
    }
  });
});

describe('unknown things', () => {
  test('unknown users and pins are 404 pages with a message', async () => {
    const profile = await call('/u/nobody-here');
    assert.equal(profile.status, 404);
    assert.match(profile.text, /There is no user @nobody-here\./);
    assert.match(profile.text, /Back to your feed/);
    assert.equal((await call('/u/nobody-here/follow', { body: '' })).status, 404);
    assert.equal((await call('/u/nobody-here/unfollow', { body: '' })).status, 404);
    for (const id of ['999999', 'abc', '0', '1e3', '-5']) {
      const r = await call(`/pins/${id}/love`, { body: '', json: true });
      assert.equal(r.status, 404, `pin ${id}`);
      assert.match(JSON.parse(r.text).error, /There is no pin/);
      assert.equal((await call(`/pins/${id}`)).status, 404);
    }
    assert.equal((await call('/img/pins/999999.svg')).status, 404);
    assert.equal((await call('/img/avatars/999999.svg')).status, 404);
    assert.equal((await call('/static/nope.js')).status, 404);
    assert.equal((await call('/no/such/page')).status, 404);
  });

  test('switching to an unknown user is a 404; a bad session cookie falls back to the first user', async () => {
    const r = await call('/switch', { body: form({ user: 'ghost' }) });
    assert.equal(r.status, 404);
    const page = await fetch(`${app.url}/feed`, { headers: { cookie: 'pinstream_user=abc; x' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Signed in as <\/span>Ana Alvarez/);
  });
});

describe('follow and love', () => {
  test('you cannot follow yourself or love your own pin', async () => {
    const self = await call('/u/anaa/follow', { body: '', json: true });
    assert.equal(self.status, 422);
    assert.equal(JSON.parse(self.text).error, 'You cannot follow yourself.');
    const ownPin = pinIds((await call('/u/anaa')).text)[0];
    const love = await call(`/pins/${ownPin}/love`, { body: '', json: true });
    assert.equal(love.status, 422);
    assert.equal(JSON.parse(love.text).error, 'You cannot love your own pin.');
  });

  test('double follow clicks follow once; unfollow takes the pins out of the feed', async () => {
    // Cleo (3) and Dev (4): start from "not following".
    await call('/u/devd/unfollow', { as: 3, body: '' });
    const before = (await call('/u/devd', { as: 3 })).text;
    const followers = Number(/data-followers>(\d+)</.exec(before)?.[1]);
    const clicks = await Promise.all(
      Array.from({ length: 5 }, () => call('/u/devd/follow', { as: 3, body: '', json: true })),
    );
    for (const r of clicks) {
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.text).following, true);
    }
    const after = (await call('/u/devd', { as: 3 })).text;
    assert.equal(Number(/data-followers>(\d+)</.exec(after)?.[1]), followers + 1);

    // Dev's pins are in Cleo's feed, each once.
    const devPins = new Set(pinIds(after));
    assert.ok(devPins.size > 0);
    const ids = await wholeFeed(3);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates in the feed');
    assert.ok(
      [...devPins].every((id) => ids.includes(id)),
      "Dev's pins reach Cleo's feed",
    );

    // Double unfollow: both fine, and Dev's pins are gone from the feed.
    const unfollows = await Promise.all([
      call('/u/devd/unfollow', { as: 3, body: '' }),
      call('/u/devd/unfollow', { as: 3, body: '' }),
    ]);
    for (const r of unfollows) assert.equal(r.status, 303);
    const feedAfter = await wholeFeed(3);
    assert.ok(feedAfter.length > 0);
    assert.ok(!feedAfter.some((id) => devPins.has(id)), "Dev's pins left Cleo's feed");
  });

  test('double love clicks love once and notify the author once', async () => {
    const board = await boardOf(ANA);
    const created = await call('/pins', {
      body: form({ title: 'Double click me', board }),
      json: true,
    });
    const { id } = JSON.parse(created.text) as { id: number };
    await call('/notifications'); // Ana has seen everything
    const clicks = await Promise.all(
      Array.from({ length: 4 }, () => call(`/pins/${id}/love`, { as: BEN, body: '', json: true })),
    );
    for (const r of clicks) {
      assert.equal(r.status, 200);
      const body = JSON.parse(r.text);
      assert.equal(body.loved, true);
      assert.equal(body.loves, 1);
    }
    const notifications = (await call('/notifications')).text;
    const mentions = notifications.match(/loved your pin <a href="\/pins\/\d+">“Double click me”/g);
    assert.equal(mentions?.length, 1, 'one notification group');
    assert.match(notifications, /<strong><a href="\/u\/benb">Ben Brooks<\/a><\/strong> loved/);

    // Unlove twice: count back to 0, and the notification is gone.
    await Promise.all([
      call(`/pins/${id}/unlove`, { as: BEN, body: '' }),
      call(`/pins/${id}/unlove`, { as: BEN, body: '' }),
    ]);
    const page = await call(`/pins/${id}`, { as: BEN });
    assert.match(page.text, /aria-pressed="false"/);
    assert.ok(!(await call('/notifications')).text.includes('“Double click me”'));
  });
});

describe('comments', () => {
  test('a hostile comment is escaped; double posts are one comment; newest first; bad ones are 422', async () => {
    const board = await boardOf(ANA);
    const created = await call('/pins', {
      body: form({ title: 'Comment on me', board }),
      json: true,
    });
    const { id } = JSON.parse(created.text) as { id: number };
    const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" & 'single' ${'é'.repeat(3)}`;
    const posts = await Promise.all(
      Array.from({ length: 3 }, () =>
        call(`/pins/${id}/comments`, { as: BEN, body: form({ text: hostile }) }),
      ),
    );
    for (const r of posts) {
      assert.equal(r.status, 303);
      assert.equal(r.headers.get('location'), `/pins/${id}#comments`);
    }
    const later = await call(`/pins/${id}/comments`, {
      as: 3,
      body: form({ text: 'Second\nline two' }),
    });
    assert.equal(later.status, 303);

    const page = (await call(`/pins/${id}`)).text;
    const texts = [...page.matchAll(/<p class="comment-text">([\s\S]*?)<\/p>/g)].map((m) => m[1]);
    assert.deepEqual(texts, [
      'Second\nline two',
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &quot;quoted&quot; &amp; &#39;single&#39; ééé',
    ]);
    assert.ok(!page.includes('<script>alert'), 'no markup from a comment reaches the page');
    assert.ok(!page.includes('<img src=x'), 'no markup from a comment reaches the page');

    // Ana, the pin's author, is told; her own comment notifies nobody.
    const notifications = (await call('/notifications')).text;
    assert.match(
      notifications,
      /commented on your pin <a href="\/pins\/\d+#comments">“Comment on me”/,
    );

    const empty = await call(`/pins/${id}/comments`, { as: BEN, body: form({ text: '   ' }) });
    assert.equal(empty.status, 422);
    assert.match(empty.text, /Write something before you post\./);
    const long = await call(`/pins/${id}/comments`, {
      as: BEN,
      body: form({ text: 'x'.repeat(501) }),
    });
    assert.equal(long.status, 422);
    assert.match(long.text, /at most 500 characters; this one has 501/);
    assert.match(
      long.text,
      /<textarea[^>]*aria-invalid="true"[^>]*>x{501}<\/textarea>/,
      'the draft is kept',
    );
    const control = await call(`/pins/${id}/comments`, {
      as: BEN,
      body: form({ text: 'a\u0007b' }),
      json: true,
    });
    assert.equal(control.status, 422);
    assert.equal(JSON.parse(control.text).error, 'Comments cannot contain control characters.');
    const surrogate = await call(`/pins/${id}/comments`, {
      as: BEN,
      body: '{"text": "a\\ud800b"}',
      type: 'application/json',
      json: true,
    });
    assert.equal(surrogate.status, 422);
    assert.equal(JSON.parse(surrogate.text).error, 'Comments must be valid Unicode text.');
    assert.equal(
      (await call('/pins/999999/comments', { as: BEN, body: form({ text: 'hi' }) })).status,
      404,
    );
    // Nothing refused was stored.
    const after = (await call(`/pins/${id}`)).text;
    assert.equal([...after.matchAll(/<li class="comment"/g)].length, 2);
  });
});

describe('popular', () => {
  test('ranks the pins of your feed by loves: of two new pins, the loved one comes first', async () => {
    await call('/u/anaa/follow', { as: BEN, body: '' });
    const board = await boardOf(ANA);
    const ids: number[] = [];
    for (const title of ['Popular plain', 'Popular loved']) {
      const created = await call('/pins', { body: form({ title, board }), json: true });
      ids.push((JSON.parse(created.text) as { id: number }).id);
    }
    const [plain, loved] = ids;
    for (const as of [BEN, 3, 4]) {
      assert.equal((await call(`/pins/${loved}/love`, { as, body: '', json: true })).status, 200);
    }
    // Every page of Ben's popular reading, following the "load more" links.
    const order: number[] = [];
    for (let path: string | undefined = '/popular'; path; ) {
      const { status, text } = await call(path, { as: BEN });
      assert.equal(status, 200);
      order.push(...[...text.matchAll(/data-pin-id="(\d+)"/g)].map((m) => Number(m[1])));
      path = /href="(\/popular\?cursor=[^"]+)"/.exec(text)?.[1]?.replaceAll('&amp;', '&');
    }
    assert.equal(new Set(order).size, order.length, 'each pin once across pages');
    assert.ok(order.includes(plain!) && order.includes(loved!), 'both new pins are ranked');
    assert.ok(order.indexOf(loved!) < order.indexOf(plain!), 'the loved pin ranks higher');
    const bad = await call('/popular?cursor=not-a-cursor', { as: BEN });
    assert.equal(bad.status, 400);
  });
});

describe('malformed requests', () => {
  test('bodies: bad JSON 400, non-object JSON 400, unknown type 415, too large 413', async () => {
    const bad = await call('/pins', { body: '{"title": ', type: 'application/json', json: true });
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.text).error, 'The request body is not valid JSON.');
    const array = await call('/pins', { body: '[1,2]', type: 'application/json', json: true });
    assert.equal(array.status, 400);
    const xml = await call('/pins', { body: '<pin/>', type: 'application/xml', json: true });
    assert.equal(xml.status, 415);
    const huge = await call('/pins', { body: `title=${'a'.repeat(20_000)}`, json: true });
    assert.equal(huge.status, 413);
    const hugeForm = await call('/pins', { body: `title=${'a'.repeat(20_000)}` });
    assert.equal(hugeForm.status, 413);
    assert.match(hugeForm.text, /The request body is too large\./);
    // JSON bodies work like forms.
    const board = await boardOf(ANA);
    const okJson = await call('/pins', {
      body: JSON.stringify({ title: 'From JSON', board: Number(board) }),
      type: 'application/json',
      json: true,
    });
    assert.equal(okJson.status, 201);
  });

  test('a broken "load more" link is a 400 with a message, as a page and as JSON', async () => {
    for (const path of ['/feed', '/activity', '/notifications', '/u/anaa']) {
      for (const cursor of ['garbage', 'zz.', '.abc', 'x'.repeat(500), '']) {
        const q = `cursor=${encodeURIComponent(cursor)}`;
        const page = await call(`${path}?${q}`);
        assert.equal(page.status, 400, `${path} ${cursor}`);
        assert.match(page.text, /This “load more” link is not valid/);
        const partial = await call(`${path}?${q}&partial=1`);
        assert.equal(partial.status, 400);
        assert.match(JSON.parse(partial.text).error, /not valid/);
      }
    }
  });

  test('wrong methods are 405 with Allow, bad escapes 400, cross-site posts 403', async () => {
    const del = await call('/feed', { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(del.headers.get('allow'), 'GET');
    const getPins = await call('/pins');
    assert.equal(getPins.status, 405);
    assert.equal(getPins.headers.get('allow'), 'POST');
    assert.equal((await call('/u/%E0%A4%A')).status, 400);
    const cross = await call('/u/benb/follow', {
      body: '',
      headers: { origin: 'http://evil.example' },
    });
    assert.equal(cross.status, 403);
    const head = await call('/feed', { method: 'HEAD' });
    assert.equal(head.status, 200);
  });

  test('after all of the above every page still renders and nothing was a 500', async () => {
    for (const path of [
      '/feed',
      '/activity',
      '/notifications',
      '/u/anaa',
      '/switch',
      '/pins/new',
    ]) {
      for (const as of [ANA, BEN, 3]) {
        const r = await call(path, { as });
        assert.equal(r.status, 200, `${path} as ${as}`);
      }
    }
    const events = await fetch(`${app.url}/events`, { headers: { cookie: 'pinstream_user=1' } });
    assert.equal(events.status, 200);
    assert.match(events.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = events.body!.getReader();
    let text = '';
    while (!text.includes('event: badge')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    assert.match(text, /event: badge\ndata: \{"unseen":\d+,"unread":\d+\}/);
    assert.doesNotMatch(app.output(), /failed:|unhandled/, 'the server logged no failure');
  });
});
