// Every page of the example app at desktop and phone widths, checked for broken layout the way a
// person would notice it: a page that scrolls sideways or an element past the screen's edge, an
// avatar drawn larger than the markup asks for, an image larger than its box,
// avatars of a stack covering each other's initials, a pin card whose footer wraps. Screenshots
// of every page go to test-results/screenshots; the README's phone picture goes to docs/screenshots
// with UPDATE_SCREENSHOTS=1 (`npm run screenshots`).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
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

const WIDTHS = [
  { name: 'desktop', width: 1280, height: 860 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/** A layout problem found on a page, in words a reader of the test output understands. */
type Problem = string;

/**
 * Runs in the page (a string: the test code compiles without the DOM library). Returns the
 * problems found; `initials` is the horizontal span of an avatar's initials as fractions of its
 * width, measured from the avatar SVG itself.
 */
const CHECK_LAYOUT = `(({ initials }) => {
  const problems = [];
  const vw = document.documentElement.clientWidth;
  const describe = (el) => {
    const id = el.id ? '#' + el.id : '';
    const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    const text = (el.getAttribute('alt') || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return el.tagName.toLowerCase() + id + cls + (text ? ' "' + text + '"' : '');
  };
  const clippedByAncestor = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.overflowX !== 'visible') return true;
    }
    return false;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  };

  const sideways = document.documentElement.scrollWidth - vw;
  if (sideways > 0) problems.push('the page scrolls sideways by ' + sideways + 'px');

  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el) || clippedByAncestor(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > vw + 0.5 || r.left < -0.5) {
      problems.push(describe(el) + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right) + 'px of a ' + vw + 'px wide screen');
    }
  }

  for (const img of document.querySelectorAll('img')) {
    if (!visible(img)) continue;
    const r = img.getBoundingClientRect();
    const style = getComputedStyle(img);
    const border = parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth);
    if (img.classList.contains('avatar')) {
      // The size the markup asks for, with the border around it unless the border is inside.
      // Smaller is a deliberate phone layout (the profile's 96px avatar at 64px); larger is not.
      const extra = style.boxSizing === 'border-box' ? 0 : border;
      const want = Number(img.getAttribute('width')) + extra;
      const wantHeight = Number(img.getAttribute('height')) + extra;
      if (r.width > want + 0.5 || r.height > wantHeight + 0.5) {
        problems.push(describe(img) + ' (an avatar of ' + img.getAttribute('width') + 'px) is drawn at ' + Math.round(r.width) + 'x' + Math.round(r.height) + 'px');
      }
    }
    const box = img.parentElement.getBoundingClientRect();
    if (r.width > box.width + 0.5 || r.height > box.height + 0.5) {
      problems.push(describe(img) + ' (' + Math.round(r.width) + 'x' + Math.round(r.height) + 'px) is larger than its box ' + describe(img.parentElement) + ' (' + Math.round(box.width) + 'x' + Math.round(box.height) + 'px)');
    }
  }

  for (const stack of document.querySelectorAll('.stack')) {
    const avatars = [...stack.querySelectorAll('.avatar')].map((a) => {
      const r = a.getBoundingClientRect();
      const style = getComputedStyle(a);
      const left = parseFloat(style.borderLeftWidth);
      const picture = r.width - left - parseFloat(style.borderRightWidth);
      // The picture is drawn inside the border; its initials end at initials.right of it.
      return { left: r.left, initialsEnd: r.left + left + picture * initials.right };
    });
    for (let i = 1; i < avatars.length; i++) {
      const under = avatars[i - 1];
      if (avatars[i].left < under.initialsEnd - 0.5) {
        problems.push('in ' + describe(stack) + ' avatar ' + (i + 1) + ' covers the initials of avatar ' + i + ' (it starts ' + (avatars[i].left - under.left).toFixed(1) + 'px after it, its initials end at ' + (under.initialsEnd - under.left).toFixed(1) + 'px)');
      }
    }
  }

  for (const footer of document.querySelectorAll('.pin .pin-actions')) {
    const when = footer.querySelector('.pin-when');
    const button = footer.querySelector('button, .btn');
    if (!when || !button || !visible(when)) continue;
    const line = parseFloat(getComputedStyle(when).lineHeight) || parseFloat(getComputedStyle(when).fontSize) * 1.4;
    const w = when.getBoundingClientRect();
    const b = button.getBoundingClientRect();
    if (w.height > line * 1.5) problems.push(describe(footer) + ' wraps: its date line is ' + Math.round(w.height) + 'px high for ' + Math.round(line) + 'px lines');
    if (w.bottom <= b.top || w.top >= b.bottom) problems.push(describe(footer) + ' wraps: the love button is on another line');
  }
  return problems;
})`;

/**
 * Where an avatar's initials lie, as fractions of the avatar's outer width: measured by drawing
 * the app's own avatar SVG in the page and taking its text's bounding box (the widest initials
 * of the demo users, so the check holds for every avatar).
 */
const MEASURE_INITIALS = `(async (urls) => {
  let left = 1, right = 0;
  for (const url of urls) {
    const svgText = await (await fetch(url)).text();
    const holder = document.createElement('div');
    holder.style.cssText = 'position:absolute;left:-10000px;top:0;width:96px;height:96px';
    holder.innerHTML = svgText;
    document.body.append(holder);
    const svg = holder.querySelector('svg');
    const text = svg.querySelector('text');
    const box = text.getBBox();
    const width = svg.viewBox.baseVal.width;
    left = Math.min(left, box.x / width);
    right = Math.max(right, (box.x + box.width) / width);
    holder.remove();
  }
  return { left, right };
})`;

let app: RunningApp;
let browser: Browser;
const pageErrors: string[] = [];
/** Every page's screenshot (test-results/); the README's phone picture goes to screenshotDir(). */
const layoutShots = join(root, 'test-results', 'screenshots');
const shots = screenshotDir();

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
  await browser?.close();
  await app?.stop();
});

async function signedInPage(width: number, height: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, baseURL: app.url });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${page.url()}: console: ${message.text()}`);
  });
  await page.goto('/switch');
  await page.getByRole('button', { name: 'Use the app as Ben Brooks (@benb)' }).click();
  await page.waitForURL('**/feed');
  return page;
}

for (const { name, width, height } of WIDTHS) {
  test(`${name} (${width}x${height}): every page lays out without overflow, oversized images, covered initials or wrapped card footers`, {
    skip,
  }, async () => {
    const page = await signedInPage(width, height);
    // A pin of the feed and the people in the stacks: the avatars the pages show.
    const pin = await page.locator('.pin a[href^="/pins/"]').first().getAttribute('href');
    assert.ok(pin, 'the feed shows a pin to open');
    const avatarUrls = await page
      .locator('img.avatar')
      .evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('src') ?? ''))]);
    assert.ok(avatarUrls.length > 3, 'the feed shows avatars to measure');
    const initials = await page.evaluate<{ left: number; right: number }>(
      `${MEASURE_INITIALS}(${JSON.stringify(avatarUrls)})`,
    );
    assert.ok(initials.left > 0 && initials.right < 1 && initials.left < initials.right);

    // A comment through the pin page's form: a long unbroken word and markup must neither
    // overflow the page nor become markup.
    await page.goto(pin);
    const hostile = `${'W'.repeat(160)} <b>not bold</b>`;
    await page.getByLabel('Add a comment').fill(hostile);
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await page.waitForURL(`**${pin}#comments`);
    assert.equal(await page.locator('.comment-text').first().textContent(), hostile);
    assert.equal(await page.locator('.comment-text b').count(), 0);

    const pages = [
      ['feed', '/feed'],
      ['popular', '/popular'],
      ['activity', '/activity'],
      ['notifications', '/notifications'],
      ['profile', '/u/anaa'],
      ['pin', pin],
      ['new-pin', '/pins/new'],
      ['switch-user', '/switch'],
    ] as const;
    const found: Problem[] = [];
    const checked: string[] = [];
    for (const [label, path] of pages) {
      const response = await page.goto(path);
      assert.equal(response?.status(), 200, `${path} answers 200`);
      await page.waitForLoadState('load');
      const problems = await page.evaluate<Problem[]>(
        `${CHECK_LAYOUT}(${JSON.stringify({ initials })})`,
      );
      found.push(...problems.map((p) => `${path}: ${p}`));
      checked.push(label);
      mkdirSync(layoutShots, { recursive: true });
      await page.screenshot({ path: join(layoutShots, `layout-${name}-${label}.png`) });
      if (name === 'phone' && label === 'feed') {
        mkdirSync(shots, { recursive: true });
        await page.screenshot({ path: join(shots, 'phone-feed.png') });
      }
    }
    assert.equal(checked.length, pages.length);
    // Every link of the main menu is in view without scrolling it (the bell included).
    const hidden = await page.locator('.nav a').evaluateAll((links) =>
      links
        .filter((a) => {
          const box = a.getBoundingClientRect();
          const nav = a.closest('.nav')?.getBoundingClientRect();
          return !nav || box.left < nav.left - 0.5 || box.right > nav.right + 0.5;
        })
        .map((a) => a.getAttribute('href')),
    );
    assert.deepEqual(hidden, [], `menu links out of view at ${width}px`);
    // The notifications link keeps an accessible name where its label is visually hidden.
    await page.getByRole('link', { name: /Notifications/ }).waitFor();
    assert.deepEqual(found, [], `layout problems at ${width}px:\n${found.join('\n')}`);
    assert.deepEqual(pageErrors, []);
  });
}
