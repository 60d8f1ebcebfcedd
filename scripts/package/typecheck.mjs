// Type-checks consumer projects in this process with the TypeScript API. Programs with the same
// compiler options share parsed source files (the peers' and @types/node's declarations are
// parsed once for all variants), which keeps the dozen programs of check:package fast.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
const ts = require('typescript');

/** Compiler options of an application that is as strict as it gets, without skipLibCheck. */
export const STRICT_CONSUMER = {
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'es2022',
  lib: ['es2023'],
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noEmit: true,
  skipLibCheck: false,
  types: [],
};

const caches = new Map();

/**
 * Diagnostics of a program of `rootNames` under `options` (tsconfig-style JSON, converted here).
 * Returns `[{ file, line, column, code, message }]`; file and line are undefined for global ones.
 */
export function typecheck(rootNames, options, basePath = dirname(rootNames[0])) {
  const { options: compilerOptions, errors } = ts.convertCompilerOptionsFromJson(options, basePath);
  if (errors.length > 0) return errors.map(toDiagnostic);
  const key = JSON.stringify(options);
  if (!caches.has(key)) caches.set(key, new Map());
  const cache = caches.get(key);
  const host = ts.createCompilerHost(compilerOptions);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, version, onError, create) => {
    // Only files outside the project roots are shared: the roots differ between programs.
    if (rootNames.includes(fileName)) return read(fileName, version, onError, create);
    const id = `${fileName}\0${JSON.stringify(version)}`;
    if (!cache.has(id)) cache.set(id, read(fileName, version, onError, create));
    return cache.get(id);
  };
  const program = ts.createProgram({ rootNames, options: compilerOptions, host });
  return ts.getPreEmitDiagnostics(program).map(toDiagnostic);
}

/** Reads a tsconfig.json the way tsc -p does; returns its root files and its compiler options. */
export function readProject(tsconfigPath) {
  const config = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
  if (config.error)
    throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(tsconfigPath));
  return { rootNames: parsed.fileNames, options: config.config.compilerOptions ?? {} };
}

function toDiagnostic(d) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return { code: d.code, message };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return { file: d.file.fileName, line: line + 1, column: character + 1, code: d.code, message };
}

/** One line per diagnostic, `file:line:column TSxxxx message`. */
export function formatDiagnostic(d) {
  const where = d.file === undefined ? '' : `${d.file}:${d.line}:${d.column} `;
  return `${where}TS${d.code} ${d.message}`;
}
