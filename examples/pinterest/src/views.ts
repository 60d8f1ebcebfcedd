// Server-rendered pages. Every value goes through the `html` tag, which escapes it.
import type { Pin, User } from './db.js';
import { type Html, html } from './html.js';
import { PIN_HEIGHT, PIN_WIDTH } from './images.js';

export const APP_NAME = 'Pinstream';
export const TITLE_MAX = 100;
export const COMMENT_MAX = 500;
/** How many of the newest pins of a feed the "Popular" page ranks (feeds.ts). */
export const POPULAR_SHOWN = 200;

export interface PinCard {
  readonly pin: Pin;
  readonly author: User;
  readonly loves: number;
  readonly loved: boolean;
}

export type Section =
  | 'feed'
  | 'popular'
  | 'activity'
  | 'profile'
  | 'notifications'
  | 'pin'
  | 'other';

export interface Page {
  readonly title: string;
  readonly viewer: User;
  readonly unseen: number;
  readonly section: Section;
  readonly main: Html;
}

// ---- small pieces ------------------------------------------------------------------------------

/** "9 min ago"; `short` drops the "ago" ("9 min") for the one-line footer of a pin card. */
export function ago(time: number, now = Date.now(), short = false): string {
  const s = Math.max(0, Math.round((now - time) / 1000));
  if (s < 60) return 'just now';
  const suffix = short ? '' : ' ago';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min${suffix}`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h${suffix}`;
  return `${Math.round(h / 24)} d${suffix}`;
}

const timeTag = (time: number, short = false): Html => {
  const iso = new Date(time).toISOString();
  return html`<time datetime="${iso}" title="${iso.slice(0, 16).replace('T', ' ')} UTC">${ago(time, Date.now(), short)}</time>`;
};

export const avatar = (user: User, size = 32): Html =>
  html`<img class="avatar" src="/img/avatars/${user.id}.svg" width="${size}" height="${size}" alt="">`;

const profileUrl = (user: User): string => `/u/${encodeURIComponent(user.handle)}`;

const userLink = (user: User): Html => html`<a href="${profileUrl(user)}">${user.name}</a>`;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const ICONS = {
  heart: html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 21s-7.5-4.6-9.6-9.2C.9 8.4 2.9 4.5 6.6 4.5c2.1 0 3.6 1.1 4.4 2.4h2c.8-1.3 2.3-2.4 4.4-2.4 3.7 0 5.7 3.9 4.2 7.3C19.5 16.4 12 21 12 21z"/></svg>`,
  bell: html`<svg class="icon bell" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0"/></svg>`,
  logo: html`<svg class="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false"><circle cx="16" cy="16" r="16"/><path d="M11 24l2.6-10.4M13.4 9.5c4.8-2.2 9.4.7 8.3 5.2-.9 3.6-4.8 4.5-7 2.4" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round"/></svg>`,
};

/** Hidden field with the page to return to after a form post without JavaScript. */
const back = (path: string): Html => html`<input type="hidden" name="back" value="${path}">`;

export function loveButton(card: PinCard, viewer: User, backTo: string): Html {
  const { pin, loves, loved } = card;
  if (pin.userId === viewer.id) {
    return html`<span class="love-count" title="${plural(loves, 'love')}">${ICONS.heart}<span>${loves}</span><span class="visually-hidden"> loves</span></span>`;
  }
  const action = `/pins/${pin.id}/${loved ? 'unlove' : 'love'}`;
  const label = loved ? `Remove your love from “${pin.title}”` : `Love “${pin.title}”`;
  return html`<form class="love-form" method="post" action="${action}" data-enhance>
  ${back(backTo)}
  <button type="submit" class="love${loved ? ' is-loved' : ''}" aria-pressed="${loved ? 'true' : 'false'}" aria-label="${label}" data-pin="${pin.id}">${ICONS.heart}<span class="love-n">${loves}</span></button>
</form>`;
}

export function followButton(target: User, following: boolean, backTo: string): Html {
  const action = `${profileUrl(target)}/${following ? 'unfollow' : 'follow'}`;
  return html`<form class="follow-form" method="post" action="${action}" data-enhance>
  ${back(backTo)}
  <button type="submit" class="btn ${following ? 'btn-quiet' : 'btn-primary'}" aria-label="${following ? 'Unfollow' : 'Follow'} ${target.name}" data-follow="${target.handle}">${following ? 'Unfollow' : 'Follow'}</button>
</form>`;
}

export function pinCard(card: PinCard, viewer: User, backTo: string): Html {
  const { pin, author } = card;
  return html`<li class="pin" data-pin-id="${pin.id}">
  <article aria-labelledby="pin-${pin.id}-title">
    <a class="pin-image" href="/pins/${pin.id}" tabindex="-1" aria-hidden="true"><img src="/img/pins/${pin.id}.svg" width="${PIN_WIDTH}" height="${PIN_HEIGHT}" alt="" loading="lazy"></a>
    <div class="pin-body">
      <h3 class="pin-title" id="pin-${pin.id}-title"><a href="/pins/${pin.id}">${pin.title}</a></h3>
      <p class="pin-meta">${avatar(author, 24)} ${userLink(author)}</p>
      <div class="pin-actions"><span class="pin-when"><span class="board">${pin.boardName}</span><span class="dot" aria-hidden="true"> · </span>${timeTag(pin.createdAt, true)}</span> ${loveButton(card, viewer, backTo)}</div>
    </div>
  </article>
</li>`;
}

/** "Load more": a plain link to the next page, which app.js turns into an in-place append. */
export function loadMore(next: string | undefined, label = 'Load more'): Html {
  if (!next) return html`<p class="end-of-feed">You're all caught up.</p>`;
  return html`<a class="btn btn-quiet load-more" href="${next}" data-load-more>${label}</a>`;
}

export function pinItems(cards: readonly PinCard[], viewer: User, backTo: string): Html {
  return html`${cards.map((c) => pinCard(c, viewer, backTo))}`;
}

function pinGrid(
  cards: readonly PinCard[],
  viewer: User,
  next: string | undefined,
  backTo: string,
  label: string,
): Html {
  return html`<ul class="pin-grid" data-list aria-label="${label}">${pinItems(cards, viewer, backTo)}</ul>
<div class="more" data-more>${loadMore(next)}</div>`;
}

// ---- layout ------------------------------------------------------------------------------------

export function layout(page: Page): Html {
  const { viewer, unseen, section } = page;
  const current = (s: Section): Html | string => (s === section ? html` aria-current="page"` : '');
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${unseen > 0 ? `(${unseen}) ` : ''}${page.title} · ${APP_NAME}</title>
<link rel="stylesheet" href="/static/app.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<script src="/static/app.js" defer></script>
</head>
<body data-title="${page.title} · ${APP_NAME}">
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar">
  <div class="topbar-inner">
    <a class="brand" href="/feed">${ICONS.logo}<span>${APP_NAME}</span></a>
    <nav class="nav" aria-label="Main">
      <ul>
        <li><a href="/feed"${current('feed')}>Feed</a></li>
        <li><a href="/popular"${current('popular')}>Popular</a></li>
        <li><a href="/activity"${current('activity')}>Activity</a></li>
        <li><a href="${profileUrl(viewer)}"${current('profile')}>Profile</a></li>
        <li><a href="/notifications" class="notif-link" data-notif-link${current('notifications')}>${ICONS.bell}<span class="notif-label">Notifications</span> <span class="badge" data-badge${unseen === 0 ? html` hidden` : ''}>${unseen}</span><span class="visually-hidden" data-badge-text>${unseen > 0 ? `, ${unseen} new` : ''}</span></a></li>
      </ul>
    </nav>
    <div class="topbar-actions">
      <a class="btn btn-primary" href="/pins/new">New pin</a>
      <a class="me" href="/switch" title="Switch demo user">${avatar(viewer, 32)}<span class="me-name"><span class="visually-hidden">Signed in as </span>${viewer.name}</span></a>
    </div>
  </div>
</header>
<main id="main" tabindex="-1">
${page.main}
</main>
<footer class="footer"><p>A demo of stream-framework: every person and pin here is generated. <a href="/switch">Switch demo user</a>.</p></footer>
<div class="toast" role="status" aria-live="polite" data-toast></div>
</body>
</html>`;
}

// ---- pages -------------------------------------------------------------------------------------

export function feedPage(input: {
  cards: readonly PinCard[];
  viewer: User;
  next: string | undefined;
  suggestions: readonly User[];
}): Html {
  const { cards, viewer, next, suggestions } = input;
  const empty = html`<div class="empty"><h2>Your feed is empty</h2><p>Follow people to see their pins here.</p></div>`;
  return html`<div class="page-head">
  <h1>Your feed</h1>
  <p class="lede">Pins from the people you follow, newest first.</p>
</div>
<a class="new-pins" href="/feed" data-new-pins hidden>New pins</a>
${
  suggestions.length > 0
    ? html`<section class="suggestions" aria-labelledby="suggest-title">
  <h2 id="suggest-title">People to follow</h2>
  <ul class="people-row">${suggestions.map((u) => html`<li class="person">${avatar(u, 40)}<span class="person-name">${userLink(u)}</span>${followButton(u, false, '/feed')}</li>`)}</ul>
</section>`
    : ''
}
${cards.length === 0 ? empty : pinGrid(cards, viewer, next, '/feed', 'Pins from people you follow')}`;
}

export function popularPage(input: {
  cards: readonly PinCard[];
  viewer: User;
  next: string | undefined;
}): Html {
  const { cards, viewer, next } = input;
  return html`<div class="page-head">
  <h1>Popular</h1>
  <p class="lede">The newest ${POPULAR_SHOWN} pins of your feed, the most loved first; a pin needs more loves to stay up as it gets older.</p>
</div>
${
  cards.length === 0
    ? html`<div class="empty"><h2>Nothing popular yet</h2><p>Follow people to see their pins here.</p></div>`
    : pinGrid(cards, viewer, next, '/popular', 'Popular pins from people you follow')
}`;
}

export interface GroupView {
  readonly id: string;
  readonly actors: readonly User[];
  readonly actorCount: number;
  readonly activityCount: number;
  readonly verb: string;
  readonly board: string;
  readonly updatedAt: number;
  readonly pins: readonly Pin[];
}

/** "Ana Alvarez and 3 others" (the newest actor first). */
function whoDid(actors: readonly User[], actorCount: number): Html {
  const first = actors[0];
  if (!first) return html`Someone`;
  const others = actorCount - 1;
  if (others <= 0) return html`<strong>${userLink(first)}</strong>`;
  if (others === 1 && actors[1]) {
    return html`<strong>${userLink(first)}</strong> and <strong>${userLink(actors[1])}</strong>`;
  }
  return html`<strong>${userLink(first)}</strong> and ${plural(others, 'other')}`;
}

export function groupItem(g: GroupView): Html {
  const shown = g.pins.slice(0, 6);
  const rest = g.activityCount - shown.length;
  return html`<li class="group">
  <article>
    <div class="group-head">
      <span class="stack">${g.actors.slice(0, 4).map((u) => avatar(u, 36))}</span>
      <p>${whoDid(g.actors, g.actorCount)} pinned ${g.activityCount === 1 && g.pins[0] ? html`<a href="/pins/${g.pins[0].id}">“${g.pins[0].title}”</a>` : plural(g.activityCount, 'item')} to <strong>${g.board}</strong></p>
      ${timeTag(g.updatedAt)}
    </div>
    <ul class="thumbs">${shown.map((p) => html`<li><a href="/pins/${p.id}"><img src="/img/pins/${p.id}.svg" width="120" height="150" alt="${p.title}" loading="lazy"></a></li>`)}${rest > 0 ? html`<li class="more-thumbs"><span>+${rest}</span></li>` : ''}</ul>
  </article>
</li>`;
}

export function activityPage(input: {
  groups: readonly GroupView[];
  next: string | undefined;
}): Html {
  const { groups, next } = input;
  return html`<div class="page-head">
  <h1>Activity</h1>
  <p class="lede">The same pins, aggregated: what the people you follow pinned, grouped by board and day.</p>
</div>
${
  groups.length === 0
    ? html`<div class="empty"><h2>Nothing yet</h2><p>Follow people to see what they pin.</p></div>`
    : html`<ul class="groups" data-list aria-label="Aggregated activity">${groups.map(groupItem)}</ul>
<div class="more" data-more>${loadMore(next)}</div>`
}`;
}

export function profilePage(input: {
  user: User;
  viewer: User;
  following: boolean;
  counts: { pins: number; followers: number; following: number };
  boards: readonly { name: string }[];
  cards: readonly PinCard[];
  next: string | undefined;
}): Html {
  const { user, viewer, counts, cards, next } = input;
  const self = user.id === viewer.id;
  const path = profileUrl(user);
  return html`<section class="profile" aria-labelledby="profile-name">
  ${avatar(user, 96)}
  <div class="profile-info">
    <h1 id="profile-name">${user.name}</h1>
    <p class="handle">@${user.handle}</p>
    <p class="bio">${user.bio}</p>
    <ul class="stats">
      <li><strong>${counts.pins}</strong> pins</li>
      <li><strong data-followers>${counts.followers}</strong> followers</li>
      <li><strong>${counts.following}</strong> following</li>
    </ul>
    <ul class="boards" aria-label="Boards">${input.boards.map((b) => html`<li>${b.name}</li>`)}</ul>
  </div>
  <div class="profile-actions">${self ? html`<a class="btn btn-primary" href="/pins/new">New pin</a>` : followButton(user, input.following, path)}</div>
</section>
<h2 class="section-title">${self ? 'Your pins' : `Pins by ${user.name}`}</h2>
${
  cards.length === 0
    ? html`<div class="empty"><p>No pins yet.</p></div>`
    : pinGrid(cards, viewer, next, path, `Pins by ${user.name}`)
}`;
}

export interface NotificationView {
  readonly id: string;
  readonly verb: string;
  readonly seen: boolean;
  readonly actors: readonly User[];
  readonly actorCount: number;
  readonly updatedAt: number;
  readonly pin: Pin | undefined;
}

export function notificationItem(n: NotificationView): Html {
  const what =
    n.verb === 'love'
      ? n.pin
        ? html`loved your pin <a href="/pins/${n.pin.id}">“${n.pin.title}”</a>`
        : html`loved a pin of yours`
      : n.verb === 'comment'
        ? n.pin
          ? html`commented on your pin <a href="/pins/${n.pin.id}#comments">“${n.pin.title}”</a>`
          : html`commented on a pin of yours`
        : n.verb === 'follow'
          ? html`started following you`
          : html`${n.verb}`;
  return html`<li class="notification${n.seen ? '' : ' is-new'}">
  <span class="stack">${n.actors.slice(0, 3).map((u) => avatar(u, 36))}</span>
  <p>${whoDid(n.actors, n.actorCount)} ${what} ${n.seen ? '' : html`<span class="pill">New</span>`}<br>${timeTag(n.updatedAt)}</p>
  ${n.pin ? html`<a class="notif-thumb" href="/pins/${n.pin.id}" tabindex="-1" aria-hidden="true"><img src="/img/pins/${n.pin.id}.svg" width="48" height="60" alt=""></a>` : ''}
</li>`;
}

export function notificationsPage(input: {
  items: readonly NotificationView[];
  next: string | undefined;
}): Html {
  return html`<div class="page-head">
  <h1>Notifications</h1>
  <p class="lede">Loves and comments on your pins, and new followers. Opening this page marks them seen.</p>
</div>
${
  input.items.length === 0
    ? html`<div class="empty"><p>No notifications yet.</p></div>`
    : html`<ul class="notifications" data-list aria-label="Notifications">${input.items.map(notificationItem)}</ul>
<div class="more" data-more>${loadMore(input.next)}</div>`
}`;
}

export interface CommentView {
  readonly id: string;
  readonly author: User;
  readonly text: string;
  readonly time: number;
}

export function commentItem(c: CommentView): Html {
  return html`<li class="comment" id="comment-${c.id}">
  ${avatar(c.author, 32)}
  <div class="comment-body">
    <p class="comment-meta"><strong>${userLink(c.author)}</strong> ${timeTag(c.time)}</p>
    <p class="comment-text">${c.text}</p>
  </div>
</li>`;
}

export function pinPage(input: {
  card: PinCard;
  viewer: User;
  comments: readonly CommentView[];
  next: string | undefined;
  /** What was typed, with the message, when a comment was refused. */
  draft?: { text: string; error: string } | undefined;
}): Html {
  const { card, viewer, comments, next, draft } = input;
  const { pin, author } = card;
  return html`<article class="pin-detail" aria-labelledby="pin-title">
  <img class="pin-image" src="/img/pins/${pin.id}.svg" width="${PIN_WIDTH}" height="${PIN_HEIGHT}" alt="Generated picture for “${pin.title}”">
  <div class="pin-detail-body">
    <h1 id="pin-title">${pin.title}</h1>
    <p class="pin-meta">${avatar(author, 32)} ${userLink(author)} pinned to <strong>${pin.boardName}</strong> ${timeTag(pin.createdAt)}</p>
    <div class="pin-actions">${loveButton(card, viewer, `/pins/${pin.id}`)}</div>
    <section class="comments" id="comments" aria-labelledby="comments-title">
      <h2 id="comments-title">Comments</h2>
      <form class="comment-form" method="post" action="/pins/${pin.id}/comments" novalidate>
        ${draft ? html`<p class="form-error" role="alert" id="comment-error">${draft.error}</p>` : ''}
        <label for="comment-text">Add a comment</label>
        <textarea id="comment-text" name="text" rows="3" maxlength="${COMMENT_MAX}" required${draft ? html` aria-invalid="true" aria-describedby="comment-error"` : ''}>${draft?.text ?? ''}</textarea>
        <button type="submit" class="btn btn-primary">Post</button>
      </form>
      ${
        comments.length === 0
          ? html`<p class="empty-comments">No comments yet.</p>`
          : html`<ul class="comment-list" data-list aria-label="Comments, newest first">${comments.map(commentItem)}</ul>
<div class="more" data-more>${loadMore(next, 'Older comments')}</div>`
      }
    </section>
  </div>
</article>`;
}

export interface PinForm {
  readonly title: string;
  readonly boardId: string;
}

export function newPinPage(input: {
  boards: readonly { id: number; name: string }[];
  form: PinForm;
  error?: string | undefined;
}): Html {
  const { boards, form, error } = input;
  return html`<div class="page-head narrow">
  <h1>New pin</h1>
  <p class="lede">Its picture is generated from your board's colors. Your followers see it in their feeds right away.</p>
</div>
<form class="card form narrow" method="post" action="/pins" novalidate data-pin-form>
  ${error ? html`<p class="form-error" role="alert" id="pin-error">${error}</p>` : ''}
  <div class="field">
    <label for="title">Title</label>
    <input id="title" name="title" type="text" maxlength="${TITLE_MAX}" required value="${form.title}" autocomplete="off"${error ? html` aria-invalid="true" aria-describedby="pin-error title-hint"` : html` aria-describedby="title-hint"`}>
    <p class="hint" id="title-hint">1 to ${TITLE_MAX} characters.</p>
  </div>
  <div class="field">
    <label for="board">Board</label>
    <select id="board" name="board">${boards.map((b) => html`<option value="${b.id}"${String(b.id) === form.boardId ? html` selected` : ''}>${b.name}</option>`)}</select>
  </div>
  <button type="submit" class="btn btn-primary">Pin it</button>
</form>`;
}

export function switchPage(input: { users: readonly User[]; viewer: User }): Html {
  return html`<div class="page-head">
  <h1>Switch demo user</h1>
  <p class="lede">Everyone here is generated. Pick someone to see the app as them; open a second browser (or a private window) to be two people at once.</p>
</div>
<div class="field narrow">
  <label for="filter">Filter people</label>
  <input id="filter" type="search" placeholder="Name or @handle" data-filter autocomplete="off">
</div>
<ul class="people-grid" data-people>
${input.users.map(
  (u) => html`<li class="person-card" data-search="${`${u.name} ${u.handle}`.toLowerCase()}">
  ${avatar(u, 48)}
  <span class="person-name"><strong>${u.name}</strong><span class="handle">@${u.handle}</span></span>
  <form method="post" action="/switch"><input type="hidden" name="user" value="${u.handle}"><button type="submit" class="btn ${u.id === input.viewer.id ? 'btn-quiet' : 'btn-primary'}" aria-label="Use the app as ${u.name} (@${u.handle})">${u.id === input.viewer.id ? 'Current' : 'Use'}</button></form>
</li>`,
)}
</ul>`;
}

export function errorPage(status: number, title: string, message: string): Html {
  return html`<div class="page-head narrow error-page">
  <p class="status">Error ${status}</p>
  <h1>${title}</h1>
  <p class="lede">${message}</p>
  <p><a class="btn btn-primary" href="/feed">Back to your feed</a></p>
</div>`;
}
