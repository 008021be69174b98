import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { parseCapabilitiesFile } from '../harness/spec/capabilities-file.ts';
import { initCommand } from './init.ts';
import { projectSettings } from './project-file.ts';

test('lbspec init writes lbspec.json and CI examples, and keeps files that exist unless --force', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'lbspec-init-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const written = t.mock.method(process.stdout, 'write', () => true);
  assert.equal(await initCommand(['--dir', directory]), 0);
  const project = JSON.parse(await readFile(join(directory, 'lbspec.json'), 'utf8'));
  assert.equal(projectSettings(project, 'lbspec.json').LBSPEC_COMMAND, './my-balancer --config {config}');
  assert.deepEqual(
    parseCapabilitiesFile(project, 'lbspec.json').supported,
    [],
    'every capability starts off',
  );
  const github = await readFile(join(directory, '.github/workflows/lbspec.yml'), 'utf8');
  assert.match(github, /shard: \[1, 2, 3\]/);
  assert.match(github, /npx --yes lbspec --shard \$\{\{ matrix\.shard \}\}\/3/);
  assert.match(github, /lbspec merge --reports lbspec-reports shards\/\*/);
  assert.match(
    await readFile(join(directory, 'lbspec.gitlab-ci.yml'), 'utf8'),
    /--shard \$CI_NODE_INDEX\/\$CI_NODE_TOTAL/,
  );

  await writeFile(join(directory, 'lbspec.json'), '{"command": "mine {config}"}');
  await initCommand(['--dir', directory]);
  assert.equal(await readFile(join(directory, 'lbspec.json'), 'utf8'), '{"command": "mine {config}"}');
  assert.match(
    String(written.mock.calls.at(-4)?.arguments[0]),
    /kept +.*lbspec\.json \(it exists; --force replaces it\)/,
  );
  await initCommand(['--dir', directory, '--force']);
  assert.match(await readFile(join(directory, 'lbspec.json'), 'utf8'), /"capabilities"/);
});
