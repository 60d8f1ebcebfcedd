// The importer's tests against the real Python Stream Framework 1.4.0 (test/python-import).
//
// start() needs python3 with the venv module (Debian: python3-venv). It prepares a venv in
// .cache/python-sf/ once, with pinned pure-Python packages from PyPI: stream-framework 1.4.0
// (installed --no-deps: its Celery requirement is only for the manager's tasks, which the fixture
// does not use), redis 2.10.6 (1.4.0 imports redis.client.BasePipeline and calls zadd with the
// redis-py 2 signature: redis-py >= 3, Debian's python3-redis 4.3.4 included, cannot run it) and
// six. Then it starts a redis-server of its own on a free port (redis-process.mjs) and hands the
// test process PYTHON_SF_PYTHON (the venv's python) and PYTHON_SF_REDIS_URL (not REDIS_URL: the
// tests flush databases of this server, never of one a developer points REDIS_URL at). A missing
// python3/venv or a failed pip install makes the group skipped with the reason (a failure under
// REQUIRE_BACKENDS).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root, testFiles } from './files.mjs';
import {
  findOnPath,
  groupDir,
  HOST,
  onFreePort,
  startRedisServer,
  stopDir,
  summarized,
} from './redis-process.mjs';

const PACKAGES = ['stream-framework==1.4.0', 'redis==2.10.6', 'six==1.17.0'];
const venv = join(root, '.cache', 'python-sf');
const venvPython = join(venv, 'bin', 'python');
let dir;

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) {
    const out = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').slice(-5).join('\n');
    throw new Error(`${what} failed (${r.error?.message ?? `exit ${r.status}`}): ${out}`);
  }
  return r.stdout;
}

function prepareVenv() {
  const check = [
    '-c',
    'import stream_framework, redis; assert stream_framework.__version__ == "1.4.0" and redis.__version__ == "2.10.6"',
  ];
  if (existsSync(venvPython) && spawnSync(venvPython, check).status === 0) return 'cached';
  const python3 = findOnPath('python3');
  if (!python3) throw new Error('python3 is not installed (Debian: python3 python3-venv)');
  rmSync(venv, { recursive: true, force: true });
  run(python3, ['-m', 'venv', venv], 'python3 -m venv (Debian: python3-venv)');
  run(
    venvPython,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', ...PACKAGES],
    `pip install ${PACKAGES.join(' ')}`,
  );
  run(venvPython, check, 'importing stream_framework 1.4.0');
  return 'installed';
}

export default {
  name: 'python-import',
  files: () => testFiles('test/python-import'),

  async start() {
    const venvState = prepareVenv();
    dir = groupDir('sf-python-import-');
    let server;
    try {
      server = await onFreePort((port) => startRedisServer({ port, dir }));
    } catch (error) {
      throw summarized('python-import', error);
    }
    console.error(
      `python-import: stream-framework 1.4.0 venv ${venvState} (.cache/python-sf); redis-server on ${HOST}:${server.port} (pid ${server.pid})`,
    );
    return { PYTHON_SF_PYTHON: venvPython, PYTHON_SF_REDIS_URL: `redis://${HOST}:${server.port}` };
  },

  async stop() {
    const current = dir;
    dir = undefined;
    await stopDir(current);
  },
};
