// Progressive enhancement: every form and link works without this file; with it, follow/love
// update in place, "load more" appends, and the notification badge updates live over SSE.

const toastEl = () => document.querySelector('[data-toast]');
let toastTimer;
function toast(message, isError = false) {
  const el = toastEl();
  if (!el) return;
  el.textContent = message;
  el.classList.toggle('is-error', isError);
  el.classList.add('is-visible');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('is-visible'), 3500);
}

async function postForm(form) {
  const response = await fetch(form.action, {
    method: 'POST',
    headers: { Accept: 'application/json' },
    body: new URLSearchParams(new FormData(form)),
  });
  let data = {};
  try {
    data = await response.json();
  } catch {
    // not JSON: handled below
  }
  if (!response.ok) throw new Error(data.error || `The server answered ${response.status}.`);
  return data;
}

// Follow / unfollow / love / unlove: one request at a time per button (double clicks are ignored),
// then the server's new button replaces the form.
document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-enhance')) return;
  event.preventDefault();
  if (form.dataset.busy === '1') return;
  form.dataset.busy = '1';
  const button = form.querySelector('button');
  button?.setAttribute('aria-busy', 'true');
  const hadFocus = document.activeElement === button;
  try {
    const data = await postForm(form);
    if (typeof data.followers === 'number') {
      for (const el of document.querySelectorAll('[data-followers]')) {
        el.textContent = String(data.followers);
      }
    }
    if (data.html) {
      const template = document.createElement('template');
      template.innerHTML = data.html.trim();
      const replacement = template.content.firstElementChild;
      if (replacement) {
        form.replaceWith(replacement);
        if (hadFocus) replacement.querySelector('button')?.focus();
      }
    }
    if (data.message) toast(data.message);
  } catch (error) {
    toast(error.message, true);
  } finally {
    delete form.dataset.busy;
    button?.removeAttribute('aria-busy');
  }
});

// "Load more": fetch the next page as JSON and append it.
document.addEventListener('click', async (event) => {
  const link = event.target instanceof Element ? event.target.closest('[data-load-more]') : null;
  if (!link) return;
  event.preventDefault();
  if (link.getAttribute('aria-busy') === 'true') return;
  link.setAttribute('aria-busy', 'true');
  link.textContent = 'Loading…';
  try {
    const url = new URL(link.href);
    url.searchParams.set('partial', '1');
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `The server answered ${response.status}.`);
    const list = document.querySelector('[data-list]');
    const more = document.querySelector('[data-more]');
    const firstNew = list?.children.length ?? 0;
    list?.insertAdjacentHTML('beforeend', data.items);
    if (more) more.innerHTML = data.more;
    // Move focus to the first new item's link so keyboard users continue from there.
    list?.children[firstNew]?.querySelector('a[href]:not([tabindex="-1"])')?.focus();
  } catch (error) {
    link.removeAttribute('aria-busy');
    link.textContent = 'Load more';
    toast(error.message, true);
  }
});

// The live badge: the server pushes { unseen, unread } whenever the notification feed changes.
function setBadge(unseen) {
  const badge = document.querySelector('[data-badge]');
  const text = document.querySelector('[data-badge-text]');
  if (!badge) return;
  const before = Number(badge.textContent);
  badge.textContent = String(unseen);
  badge.hidden = unseen === 0;
  if (text) text.textContent = unseen > 0 ? `, ${unseen} new` : '';
  if (unseen > before) {
    badge.classList.remove('bump');
    void badge.offsetWidth;
    badge.classList.add('bump');
  }
  const title = document.body.dataset.title;
  if (title) document.title = unseen > 0 ? `(${unseen}) ${title}` : title;
}

if ('EventSource' in window && document.querySelector('[data-badge]')) {
  const events = new EventSource('/events');
  // data-live tells (tests, curious people) whether the live connection is up: the server sends
  // the current count once it is subscribed, then every change.
  events.addEventListener('error', () => {
    document.body.dataset.live = 'off';
  });
  // "3 new pins": people you follow pinned while this page was open (their fan-out reached your
  // feed); following the link reloads the feed with them on top.
  const banner = document.querySelector('[data-new-pins]');
  let newPins = 0;
  events.addEventListener('pins', (event) => {
    try {
      newPins += JSON.parse(event.data).count;
    } catch {
      return;
    }
    if (!banner || newPins === 0) return;
    banner.textContent = `${newPins} new ${newPins === 1 ? 'pin' : 'pins'} in your feed: show`;
    banner.hidden = false;
  });
  events.addEventListener('badge', (event) => {
    try {
      setBadge(JSON.parse(event.data).unseen);
      document.body.dataset.live = 'on';
    } catch {
      // ignore a malformed message
    }
  });
  window.addEventListener('pagehide', () => events.close());
}

// The "switch user" page: filter people as you type.
const filter = document.querySelector('[data-filter]');
if (filter) {
  filter.addEventListener('input', () => {
    const query = filter.value.trim().toLowerCase();
    for (const item of document.querySelectorAll('[data-people] [data-search]')) {
      item.hidden = query !== '' && !item.dataset.search.includes(query);
    }
  });
}
