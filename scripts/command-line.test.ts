import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

// Every script an npm script or the README runs, each as its npm script starts it.
const scripts = [
  'bench/http.ts',
  'bench/soak.ts',
  'bench/selection.ts',
  'bench/tcp-bulk.ts',
  'scripts/flake.ts',
  'scripts/compare.ts',
  'scripts/matrix.ts',
  'scripts/generate.ts',
  'scripts/images.ts',
  'scripts/require-pass.ts',
  'scripts/mutation/run-groups.ts',
];

const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 60_000 });

test('every script answers --help with its usage and exits 0, doing nothing else', () => {
  for (const script of scripts) {
    const { status, stdout, stderr } = run(script, '--help');
    assert.equal(status, 0, `${script} --help exited ${status}: ${stderr}`);
    assert.match(stdout, /^usage: /, `${script} --help printed ${JSON.stringify(stdout)}`);
  }
});

test('an unknown option gets what is wrong and the usage, exit 2, and no stack trace', () => {
  for (const script of ['bench/http.ts', 'bench/soak.ts', 'scripts/generate.ts']) {
    const { status, stderr } = run(script, '--bogus');
    assert.equal(status, 2, `${script} --bogus exited ${status}`);
    assert.match(stderr, /Unknown option '--bogus'[\s\S]*usage: /);
    assert.doesNotMatch(stderr, /\n\s+at /, `${script} printed a stack trace`);
  }
  const flake = run('scripts/flake.ts', 'many');
  assert.equal(flake.status, 2);
  assert.match(flake.stderr, /"many" is not a positive number of runs[\s\S]*usage: npm run flake/);
});

test('a list option naming something unknown gets the names there are, exit 2, before anything runs', () => {
  const compare = run('scripts/compare.ts', '--only', 'equal,nonsense');
  assert.equal(compare.status, 2);
  assert.match(
    compare.stderr,
    /unknown workloads nonsense; known: equal, one-slow, [\s\S]*usage: npm run compare/,
  );
  const bench = run('bench/http.ts', '--only', 'small-50,nonsense');
  assert.equal(bench.status, 2);
  assert.match(bench.stderr, /unknown scenarios nonsense; known: [\s\S]*usage: npm run bench/);
});
