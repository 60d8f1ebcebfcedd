// A small dependency-free SVG line chart: throughput against N, one line per series.

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

/** Renders `series` ({ name, points: [{ n, value }] }) as an SVG string with log-scaled N. */
export function lineChart({ title, yLabel, series }) {
  const W = 720;
  const H = 420;
  const pad = { l: 80, r: 200, t: 40, b: 50 };
  const ns = [...new Set(series.flatMap((s) => s.points.map((p) => p.n)))].sort((a, b) => a - b);
  const maxY = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.value))) * 1.1;
  const x = (n) =>
    ns.length === 1
      ? pad.l + (W - pad.l - pad.r) / 2
      : pad.l +
        ((Math.log10(n) - Math.log10(ns[0])) / (Math.log10(ns.at(-1)) - Math.log10(ns[0]))) *
          (W - pad.l - pad.r);
  const y = (v) => H - pad.b - (v / maxY) * (H - pad.t - pad.b);
  const esc = (s) =>
    String(s).replace(/[<&>]/g, (c) => ({ '<': '&lt;', '&': '&amp;', '>': '&gt;' })[c]);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - pad.r / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
    `<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#333"/>`,
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="#333"/>`,
    `<text x="18" y="${H / 2}" transform="rotate(-90 18 ${H / 2})" text-anchor="middle">${esc(yLabel)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (maxY / 4) * i;
    parts.push(
      `<text x="${pad.l - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v).toLocaleString('en')}</text>`,
    );
    parts.push(`<line x1="${pad.l}" y1="${y(v)}" x2="${W - pad.r}" y2="${y(v)}" stroke="#eee"/>`);
  }
  for (const n of ns)
    parts.push(
      `<text x="${x(n)}" y="${H - pad.b + 18}" text-anchor="middle">N=${n.toLocaleString('en')}</text>`,
    );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.map((p) => `${x(p.n)},${y(p.value)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>`);
    for (const p of s.points)
      parts.push(`<circle cx="${x(p.n)}" cy="${y(p.value)}" r="3" fill="${color}"/>`);
    parts.push(
      `<rect x="${W - pad.r + 15}" y="${pad.t + i * 20}" width="12" height="12" fill="${color}"/>`,
    );
    parts.push(`<text x="${W - pad.r + 32}" y="${pad.t + i * 20 + 10}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
