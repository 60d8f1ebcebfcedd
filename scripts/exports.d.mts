// Types of scripts/exports.mjs for the TypeScript files that import it (src/public-surface.test.ts).

/** One package entry point: its name (e.g. `stream-framework/redis`) and source file. */
export interface EntryPoint {
  readonly name: string;
  readonly file: string;
}

/** One entry point's exported names, each list sorted. */
export interface EntrySurface extends EntryPoint {
  /** Names that exist at run time (functions, classes, constants). */
  readonly values: readonly string[];
  /** Type-only names (interfaces, type aliases). */
  readonly types: readonly string[];
}

/** The repository root. */
export const root: string;
/** docs/architecture.md, which holds the generated list. */
export const DOC: string;
/** The package's entry points, from package.json "exports". */
export function entryPoints(): EntryPoint[];
/** Every entry point with its exported values and type-only names. */
export function publicSurface(): EntrySurface[];
/** The generated Markdown list (between its begin and end markers). */
export function renderSurface(surface: readonly EntrySurface[]): string;
/** The generated list as it stands in docs/architecture.md, or undefined without markers. */
export function documentedSurface(text?: string): string | undefined;
