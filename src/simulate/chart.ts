/**
 * A small dependency-free SVG of a pushBias sweep: hybrid inserts (share of pure push, with the
 * issue's target line) and range reads per page, against pushBias on a log scale.
 * @module
 */
import { INSERTS_TARGET, type SweepPoint } from './simulate.js';

const WIDTH = 640;
const PANEL = 220;
const LEFT = 70;
const RIGHT = 20;
const TOP = 40;
const GAP = 60;

const xmlText = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const label = (n: number): string =>
  n >= 100 ? Math.round(n).toString() : String(+n.toPrecision(2));

interface Panel {
  readonly title: string;
  readonly values: readonly number[];
  readonly color: string;
  readonly line?: { readonly value: number; readonly text: string } | undefined;
}

/** The SVG text of a sweep chart. Needs at least two points with distinct pushBias > 0. */
export function sweepChart(points: readonly SweepPoint[], title: string): string {
  const sorted = [...points].sort((a, b) => a.pushBias - b.pushBias);
  const xs = sorted.map((p) => Math.log10(p.pushBias));
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const x = (v: number) => LEFT + ((v - x0) / (x1 - x0 || 1)) * (WIDTH - LEFT - RIGHT);
  const panels: Panel[] = [
    {
      title: 'hybrid feed inserts / pure push',
      values: sorted.map((p) => p.insertsRatio),
      color: '#1f77b4',
      line: { value: INSERTS_TARGET, text: `target ${INSERTS_TARGET}x` },
    },
    {
      title: 'range reads per page (mean: 1 + pulled producers)',
      values: sorted.map((p) => p.rangeReadsPerPage),
      color: '#d62728',
    },
  ];
  const parts: string[] = [
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${xmlText(title)}</text>`,
  ];
  panels.forEach((panel, i) => {
    const top = TOP + i * (PANEL + GAP);
    const max = Math.max(...panel.values, panel.line?.value ?? 0) * 1.1 || 1;
    const y = (v: number) => top + PANEL - (v / max) * PANEL;
    parts.push(
      `<text x="${LEFT}" y="${top - 8}" font-size="13">${xmlText(panel.title)}</text>`,
      `<rect x="${LEFT}" y="${top}" width="${WIDTH - LEFT - RIGHT}" height="${PANEL}" fill="none" stroke="#999"/>`,
    );
    for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
      const v = max * tick;
      parts.push(
        `<text x="${LEFT - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${label(v)}</text>`,
      );
    }
    sorted.forEach((p, j) => {
      parts.push(
        `<text x="${x(xs[j] ?? 0)}" y="${top + PANEL + 15}" text-anchor="middle" font-size="11">${label(p.pushBias)}</text>`,
      );
    });
    if (panel.line) {
      const ly = y(panel.line.value);
      parts.push(
        `<line x1="${LEFT}" y1="${ly}" x2="${WIDTH - RIGHT}" y2="${ly}" stroke="#2ca02c" stroke-dasharray="5,4"/>`,
        `<text x="${WIDTH - RIGHT - 4}" y="${ly - 4}" text-anchor="end" font-size="11" fill="#2ca02c">${xmlText(panel.line.text)}</text>`,
      );
    }
    const path = panel.values.map((v, j) => `${x(xs[j] ?? 0).toFixed(1)},${y(v).toFixed(1)}`);
    parts.push(
      `<polyline points="${path.join(' ')}" fill="none" stroke="${panel.color}" stroke-width="2"/>`,
      ...path.map((xy) => {
        const [cx, cy] = xy.split(',');
        return `<circle cx="${cx}" cy="${cy}" r="3" fill="${panel.color}"/>`;
      }),
    );
  });
  const height = TOP + 2 * PANEL + GAP + 40;
  parts.push(
    `<text x="${WIDTH / 2}" y="${height - 8}" text-anchor="middle" font-size="12">pushBias (log scale)</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">\n<title>${xmlText(title)}</title>\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}
