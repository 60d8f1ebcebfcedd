// Extracts the ```ts code blocks of the documentation (README.md, docs/**/*.md and
// examples/*/README.md), so that check:package compiles them as a
// consumer would. A block is a module of its own. An HTML comment right before the fence (blank
// lines between are allowed) adjusts it, invisible on GitHub:
//   <!-- snippet-skip: reason -->          not compiled (a fragment); listed in the check's output
//   <!-- snippet-prelude                   TypeScript put before the block, e.g. declarations of
//   declare const db: AppDb;               the application's own values the block uses
//   -->
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** README.md, every Markdown file under docs/ and the examples' READMEs, relative to `root`. */
export function markdownFiles(root) {
  const found = ['README.md'];
  for (const example of readdirSync(join(root, 'examples'), { withFileTypes: true })) {
    const readme = join('examples', example.name, 'README.md');
    if (example.isDirectory() && existsSync(join(root, readme))) found.push(readme);
  }
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) found.push(path);
    }
  };
  walk('docs');
  return found.sort();
}

const FENCE = /^\s*```(\S*)\s*$/;
const DIRECTIVE = /<!--\s*snippet-(skip|prelude)(?::)?([\s\S]*?)-->\s*$/;

/**
 * The ```ts blocks of one Markdown text: `{ file, line, code, prelude, skip }`, `line` being the
 * 1-based line of the opening fence.
 */
export function extractSnippets(text, file) {
  const lines = text.split('\n');
  const snippets = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`${file}:${i + 1}: unclosed code block`);
    if (open[1] === 'ts' || open[1] === 'typescript') {
      const directive = directiveBefore(lines, i);
      snippets.push({
        file,
        line: i + 1,
        code: lines.slice(i + 1, end).join('\n'),
        prelude: directive?.kind === 'prelude' ? directive.text : '',
        skip: directive?.kind === 'skip' ? directive.text || 'no reason given' : undefined,
      });
    }
    i = end;
  }
  return snippets;
}

/** The snippet directive in the HTML comment ending just before line `fence`, if any. */
function directiveBefore(lines, fence) {
  let last = fence - 1;
  while (last >= 0 && lines[last].trim() === '') last--;
  if (last < 0 || !lines[last].trimEnd().endsWith('-->')) return undefined;
  let first = last;
  while (first >= 0 && !lines[first].includes('<!--')) first--;
  if (first < 0) return undefined;
  const match = DIRECTIVE.exec(lines.slice(first, last + 1).join('\n'));
  return match ? { kind: match[1], text: match[2].trim() } : undefined;
}

/** Every snippet of the documentation under `root`. */
export function documentationSnippets(root) {
  return markdownFiles(root).flatMap((file) =>
    extractSnippets(readFileSync(join(root, file), 'utf8'), file),
  );
}

/** The module text of a snippet and how many lines precede its code. */
export function snippetModule(snippet) {
  const head = [`// ${snippet.file}:${snippet.line}`];
  if (snippet.prelude) head.push(snippet.prelude);
  const text = head.join('\n');
  const offset = text.split('\n').length;
  // `export {}` makes a block without imports a module too (top-level await, its own scope).
  return { text: `${text}\n${snippet.code}\nexport {};\n`, offset };
}
