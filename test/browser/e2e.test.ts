// The example app in a real browser (Debian's chromium, driven by playwright-core), as two people
// in two separate browser contexts: Ben follows Ana, Ana pins, Ben's feed shows the pin, Ben loves
// it and comments on it and Ana's notification badge goes up live (no reload), then opening her
// notifications resets it. Screenshots go to test-results/screenshots (docs/screenshots with
// UPDATE_SCREENSHOTS=1).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import {
  chromiumArgs,
  chromiumPath,
  hasChromium,
  type RunningApp,
  root,
  screenshotDir,
  startApp,
} from './support.js';

const skip = hasChromium() ? false : `chromium not found at ${chromiumPath}`;
const TIMEOUT = 10_000;

let app: RunningApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const shots = screenshotDir();

async function newPage(width = 1280, height = 860): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, baseURL: app.url });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${page.url()}: console: ${message.text()}`);
  });
  return page;
}

async function signInAs(page: Page, name: string, handle: string): Promise<void> {
  await page.goto('/switch');
  await page.getByRole('button', { name: `Use the app as ${name} (@${handle})` }).click();
  await page.waitForURL('**/feed');
  await assertSignedInAs(page, name);
}

async function assertSignedInAs(page: Page, name: string): Promise<void> {
  assert.match((await page.locator('.me').textContent()) ?? '', new RegExp(name));
}

const badge = (page: Page) => page.locator('[data-badge]');

async function waitForLive(page: Page): Promise<void> {
  await page.locator('body[data-live="on"]').waitFor({ state: 'attached' });
}

async function badgeCount(page: Page): Promise<number> {
  if (await badge(page).isHidden()) return 0;
  return Number(await badge(page).textContent());
}

/** A screenshot; `inReadme: false` keeps it in test-results/ even with UPDATE_SCREENSHOTS=1. */
async function shot(page: Page, name: string, inReadme = true): Promise<void> {
  const dir = inReadme ? shots : join(root, 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

before(async () => {
  if (skip) return;
  app = await startApp();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
  });
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await app?.stop();
});

test('two people: follow, pin, live "new pins" banner, feed, love, live badge, notifications reset', {
  skip,
}, async () => {
  const ana = await newPage();
  const ben = await newPage();
  await signInAs(ana, 'Ana Alvarez', 'anaa');
  await signInAs(ben, 'Ben Brooks', 'benb');

  // Ana starts with nothing unseen.
  await ana.goto('/notifications');
  assert.equal(await badgeCount(ana), 0);
  await ana.goto('/feed');
  await waitForLive(ana);
  // A marker that a reload would lose: proves the badge updates in place.
  await ana.evaluate(() => {
    (globalThis as unknown as { marker: number }).marker = 42;
  });

  // Ben follows Ana (unfollowing first if the generated graph already has him following her).
  await ben.goto('/u/anaa');
  const unfollow = ben.getByRole('button', { name: 'Unfollow Ana Alvarez' });
  const follow = ben.getByRole('button', { name: 'Follow Ana Alvarez' });
  if (await unfollow.isVisible()) {
    await unfollow.click();
    await follow.waitFor();
  }
  const followersBefore = Number(await ben.locator('[data-followers]').textContent());
  await follow.click();
  await unfollow.waitFor();
  assert.equal(Number(await ben.locator('[data-followers]').textContent()), followersBefore + 1);

  // Ana's badge shows the new follower without a reload.
  await ana.locator('[data-badge]:not([hidden])').waitFor();
  assert.equal(await badgeCount(ana), 1);

  // Ben keeps his feed open while Ana pins: a "new pins" banner appears there without a reload.
  await ben.goto('/feed');
  await waitForLive(ben);
  assert.equal(await ben.locator('[data-new-pins]').isHidden(), true);

  // Ana pins something.
  const title = 'Sunlit reading corner'; // no generated pin has this title
  await ana.goto('/pins/new');
  await ana.getByLabel('Title').fill(title);
  await ana.getByLabel('Board').selectOption({ index: 0 });
  await ana.getByRole('button', { name: 'Pin it' }).click();
  await ana.waitForURL(/\/u\/anaa\?pinned=\d+$/);
  await ana.getByRole('heading', { name: title }).waitFor();
  const banner = ben.locator('[data-new-pins]:not([hidden])');
  await banner.waitFor();
  assert.equal(await banner.textContent(), '1 new pin in your feed: show');
  await shot(ben, 'feed-new-pins', false);
  await waitForLive(ana);
  await ana.evaluate(() => {
    (globalThis as unknown as { marker: number }).marker = 42;
  });
  const unseenBefore = await badgeCount(ana);
  assert.equal(unseenBefore, 1, 'the follow notification is still unseen');

  // Following the banner, Ben's feed shows Ana's pin first.
  await banner.click();
  await ben.waitForURL('**/feed');
  const first = ben.locator('.pin').first();
  assert.equal(await first.locator('.pin-title').textContent(), title);
  assert.match((await first.locator('.pin-meta').textContent()) ?? '', /Ana Alvarez/);
  await shot(ben, 'feed');

  // Ben loves it; Ana's badge goes up while her page stays open.
  const love = ben.getByRole('button', { name: `Love “${title}”` });
  await love.click();
  const loved = ben.getByRole('button', { name: `Remove your love from “${title}”` });
  await loved.waitFor();
  assert.equal(await loved.getAttribute('aria-pressed'), 'true');
  assert.equal((await loved.textContent())?.trim(), '1');

  await ana.locator('[data-badge]', { hasText: String(unseenBefore + 1) }).waitFor();
  assert.equal(await badgeCount(ana), unseenBefore + 1);
  assert.equal(
    await ana.evaluate(() => (globalThis as unknown as { marker?: number }).marker),
    42,
    'the page was not reloaded',
  );
  assert.match(await ana.title(), new RegExp(`^\\(${unseenBefore + 1}\\) `));
  await shot(ana, 'profile-live-badge');

  // Ben comments on the pin from its page; the comment is listed, and Ana's badge goes up again.
  await ben.getByRole('link', { name: title }).first().click();
  await ben.waitForURL('**/pins/*');
  await ben.getByLabel('Add a comment').fill('Lovely colors!');
  await ben.getByRole('button', { name: 'Post', exact: true }).click();
  await ben.waitForURL('**/pins/*#comments');
  const comment = ben.locator('.comment').first();
  assert.equal(await comment.locator('.comment-text').textContent(), 'Lovely colors!');
  assert.match((await comment.locator('.comment-meta').textContent()) ?? '', /Ben Brooks/);
  await ana.locator('[data-badge]', { hasText: String(unseenBefore + 2) }).waitFor();

  // Opening the notifications shows both, marked new, and resets the badge.
  await ana.getByRole('link', { name: /Notifications/ }).click();
  await ana.waitForURL('**/notifications');
  const items = ana.locator('.notification');
  await items.first().waitFor();
  const texts = await items.allTextContents();
  const lovedText = texts.find((t) => t.includes(`loved your pin “${title}”`));
  assert.ok(lovedText, `a love notification for the new pin in:\n${texts.join('\n')}`);
  assert.match(lovedText, /Ben Brooks/);
  assert.match(lovedText, /New/);
  assert.ok(
    texts.some((t) => /Ben Brooks/.test(t) && /started following you/.test(t)),
    'a follow notification from Ben',
  );
  assert.ok(
    texts.some((t) => /Ben Brooks/.test(t) && t.includes(`commented on your pin “${title}”`)),
    'a comment notification from Ben',
  );
  assert.equal(await badgeCount(ana), 0);
  await shot(ana, 'notifications');

  // The reset holds: a fresh page shows no badge, and the items are no longer new.
  await ana.goto('/feed');
  await waitForLive(ana);
  assert.equal(await badgeCount(ana), 0);
  await ana.goto('/notifications');
  assert.equal(await ana.locator('.notification.is-new').count(), 0);

  // The aggregated feed groups Ana's pin with the rest of today's pins on that board.
  await ben.goto('/activity');
  const group = ben.locator('.group', { hasText: 'Ana Alvarez' }).first();
  await group.waitFor();
  assert.match((await group.textContent()) ?? '', /pinned/);
  await shot(ben, 'activity');

  assert.deepEqual(pageErrors, []);
});

test('load more appends the next page of the feed in place', { skip }, async () => {
  const page = await newPage();
  await signInAs(page, 'Ben Brooks', 'benb');
  const before = await page.locator('.pin').count();
  assert.equal(before, 24);
  const firstIds = await page
    .locator('.pin')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-pin-id')));
  await page.getByRole('link', { name: 'Load more' }).click();
  await page.locator('.pin').nth(before).waitFor();
  const ids = await page
    .locator('.pin')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-pin-id')));
  assert.ok(ids.length > before);
  assert.deepEqual(ids.slice(0, before), firstIds, 'the first page is kept');
  assert.equal(new Set(ids).size, ids.length, 'no pin twice');
  assert.equal(new URL(page.url()).pathname, '/feed');
  assert.deepEqual(pageErrors, []);
});
