import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { settingsProblem } from '../steps/support/settings-check.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const cucumber = join(projectRoot, 'node_modules/@cucumber/cucumber/bin/cucumber.js');

test('settings are checked against the profile and the environment', async () => {
  assert.equal(await settingsProblem({}, {}), undefined);
  assert.match((await settingsProblem({}, { LBSPEC_ADAPTER: 'bogus' })) ?? '', /unknown adapter "bogus"/);
  assert.match((await settingsProblem({ adapter: 'command' }, {})) ?? '', /needs LBSPEC_COMMAND/);
  assert.match((await settingsProblem({}, { LBSPEC_BACKENDS: 'vm' })) ?? '', /unknown backend provider "vm"/);
  assert.match((await settingsProblem({}, { LBSPEC_BACKEND_REUSE: 'sometimes' })) ?? '', /is not a setting/);
  assert.match(
    (await settingsProblem({}, { LBSPEC_REDIS_SERVER: 'no-such-redis' })) ?? '',
    /LBSPEC_REDIS_SERVER: no-such-redis is not installed: apt-get install -y redis-server/,
  );
});

test('a wrong setting stops the run once, up front, with its message and exit 2', async (t) => {
  const reports = await mkdtemp(join(tmpdir(), 'lbspec-settings-'));
  t.after(() => rm(reports, { recursive: true, force: true }));
  const run = spawnSync(process.execPath, [cucumber, '--tags', '@task-01'], {
    cwd: projectRoot,
    env: { ...process.env, LBSPEC_ADAPTER: 'command', LBSPEC_COMMAND: './lb', LBSPEC_REPORTS_DIR: reports },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const output = run.stdout + run.stderr;
  assert.equal(run.status, 2, output);
  assert.equal(output.match(/has no \{config\} placeholder/g)?.length, 1, output);
  assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
  assert.doesNotMatch(output, /passed|failed/, 'no scenario ran');
});
