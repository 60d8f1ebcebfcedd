// Pictures made on the fly: every pin gets an SVG drawn from its seed and its board's colors, and
// every user an avatar with their initials. No files to ship, no network.
import { createRandom } from './random.js';
import { TOPICS } from './seed.js';

export const PIN_WIDTH = 400;
export const PIN_HEIGHT = 500;

const hsl = (h: number, s: number, l: number): string =>
  `hsl(${Math.round(((h % 360) + 360) % 360)} ${s}% ${l}%)`;

/** Hue of a board: its topic's, or one derived from its name. */
export function boardHue(boardName: string): number {
  const topic = TOPICS.find((t) => t.name === boardName);
  if (topic) return topic.hue;
  let h = 0;
  for (const ch of boardName) h = (h * 31 + (ch.codePointAt(0) ?? 0)) % 360;
  return h;
}

/** An SVG picture for a pin: one of four compositions, in colors around the board's hue. */
export function pinSvg(seed: number, boardName: string): string {
  const r = createRandom(seed);
  const w = PIN_WIDTH;
  const h = PIN_HEIGHT;
  const base = boardHue(boardName) + r.int(-18, 18);
  const accent = base + r.pick([30, 150, 180, 210]);
  const shapes: string[] = [];
  const kind = r.int(0, 3);
  const bgTop = hsl(base, 55, r.int(78, 90));
  const bgBottom = hsl(base + 20, 50, r.int(62, 74));
  if (kind === 0) {
    // Landscape: a sun and layered hills.
    shapes.push(
      `<circle cx="${r.int(80, 320)}" cy="${r.int(90, 200)}" r="${r.int(40, 75)}" fill="${hsl(accent, 80, 70)}"/>`,
    );
    for (let layer = 0; layer < 3; layer++) {
      const y0 = 260 + layer * 70;
      let d = `M0 ${h} L0 ${y0 + r.int(-30, 30)}`;
      for (let x = 50; x <= w; x += 50)
        d += ` Q${x - 25} ${y0 + r.int(-70, 40)} ${x} ${y0 + r.int(-35, 35)}`;
      shapes.push(
        `<path d="${d} L${w} ${h} Z" fill="${hsl(base + layer * 12, 45, 52 - layer * 12)}"/>`,
      );
    }
  } else if (kind === 1) {
    // Grid of tiles, some rounded.
    const cols = r.int(3, 5);
    const size = w / cols;
    for (let y = 0; y < h; y += size) {
      for (let x = 0; x < w; x += size) {
        const l = r.int(35, 80);
        const hue = r.chance(0.25) ? accent : base + r.int(-20, 20);
        const pad = size * 0.08;
        if (r.chance(0.45)) {
          shapes.push(
            `<circle cx="${x + size / 2}" cy="${y + size / 2}" r="${size / 2 - pad}" fill="${hsl(hue, 60, l)}"/>`,
          );
        } else {
          shapes.push(
            `<rect x="${x + pad}" y="${y + pad}" width="${size - 2 * pad}" height="${size - 2 * pad}" rx="${r.int(0, 18)}" fill="${hsl(hue, 55, l)}"/>`,
          );
        }
      }
    }
  } else if (kind === 2) {
    // Concentric arches.
    const cx = w / 2;
    const n = r.int(4, 7);
    for (let i = 0; i < n; i++) {
      const radius = 180 - i * (150 / n);
      const color = i % 2 === 0 ? hsl(base, 55, 40 + i * 7) : hsl(accent, 60, 55 + i * 4);
      shapes.push(
        `<path d="M${cx - radius} ${h - 60} L${cx - radius} ${h - 60 - radius * 0.6} A${radius} ${radius} 0 0 1 ${cx + radius} ${h - 60 - radius * 0.6} L${cx + radius} ${h - 60} Z" fill="${color}"/>`,
      );
    }
    shapes.push(`<rect x="0" y="${h - 60}" width="${w}" height="60" fill="${hsl(base, 35, 30)}"/>`);
  } else {
    // Soft overlapping blobs.
    for (let i = 0; i < 7; i++) {
      const hue = r.chance(0.3) ? accent : base + r.int(-25, 25);
      shapes.push(
        `<ellipse cx="${r.int(0, w)}" cy="${r.int(0, h)}" rx="${r.int(60, 170)}" ry="${r.int(50, 150)}" fill="${hsl(hue, 65, r.int(45, 75))}" fill-opacity="0.8"/>`,
      );
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">
<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${bgTop}"/><stop offset="1" stop-color="${bgBottom}"/></linearGradient></defs>
<rect width="${w}" height="${h}" fill="url(#bg)"/>
${shapes.join('\n')}
</svg>`;
}

/** Initials of a name, e.g. "Ana Alvarez" → "AA". */
export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');
}

/** A round avatar with the user's initials on their color. */
export function avatarSvg(name: string, hue: number): string {
  const text = initials(name).replace(/[<>&"']/g, '');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">
<circle cx="48" cy="48" r="48" fill="${hsl(hue, 55, 42)}"/>
<text x="48" y="50" dominant-baseline="middle" text-anchor="middle" font-family="system-ui, sans-serif" font-size="38" font-weight="600" fill="#fff">${text}</text>
</svg>`;
}
