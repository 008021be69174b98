/**
 * Containers: backends as containers of the locally built fixture image, the reference balancer
 * shipped as an image through the container adapter (also as a graded submission). Needs a
 * Docker engine (`npm run test:containers`; .ci/run starts one).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { containerBackendProvider } from '../harness/backends/container-provider.ts';
import type { StartedBackend } from '../harness/backends/provider.ts';
import { tcpConversation } from '../harness/clients/traffic.ts';
import { ensureImage } from '../harness/containers/images.ts';
import type { Scoreboard } from '../harness/report/scoreboard.ts';
import { expectSilentWhilePaused } from './pause-probe.ts';
import { runSuite } from './run-suite.ts';

describe('container backends', () => {
  let backend: StartedBackend;
  before(async () => {
    [backend] = (await containerBackendProvider.start([{ id: 'c1', protocol: 'tcp' }])) as [StartedBackend];
  });
  after(async () => {
    await backend[Symbol.asyncDispose]();
  });

  test('greet, echo and count like process backends', async () => {
    const conversation = await tcpConversation(backend.address, Buffer.from('in a container'));
    assert.equal(conversation.welcome, 'c1');
    assert.equal(conversation.echoed.toString(), 'in a container');
    assert.equal((await backend.stats()).requests, 1);
  });

  test('pause freezes the container: connections are accepted, nothing answers until resumed', async () => {
    await expectSilentWhilePaused(backend);
  });

  test('kill and stop end the container; restart brings it back on the same address', async () => {
    const address = backend.address;
    await backend.kill();
    await assert.rejects(tcpConversation(address, Buffer.alloc(0)), /ECONNREFUSED/);
    await backend.restart();
    assert.equal(backend.address, address);
    assert.equal((await tcpConversation(address, Buffer.alloc(0))).welcome, 'c1');
    await backend.stop();
    assert.equal(backend.running, false);
    assert.equal(backend.unexpectedExit, undefined);
  });
});

// One whole run proves both: backends as containers, and the reference balancer shipped as an image
// behind the container adapter. (The process adapter with container backends adds no path of its
// own: the backends are the same containers, and that adapter is what the main suite runs.)
test('the reference balancer shipped as an image passes the whole suite with container backends', async () => {
  await ensureImage('reference');
  const { report, exitCode, output } = await runSuite(
    {
      LBSPEC_ADAPTER: 'container',
      LBSPEC_IMAGE: 'lbspec/reference:latest',
      LBSPEC_CAPABILITIES: 'all',
      LBSPEC_RELOAD: 'sighup',
      LBSPEC_NAME: 'reference-image',
    },
    ['-p', 'containers'],
  );
  assert.equal(report?.verdict, 'pass', output.slice(-4000));
  assert.equal(report?.adapter?.name, 'reference-image');
  assert.equal(report?.backendProvider, 'container');
  assert.equal(report?.totals.passed, report?.scenarios.length);
  assert.equal(report?.totals.failed, 0);
  assert.equal(exitCode, 0);
});

test('lbspec grade runs a submission shipped as an image through the container adapter', async (t) => {
  await ensureImage('reference');
  const work = await mkdtemp(join(tmpdir(), 'lbspec-grade-image-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const submissions = join(work, 'submissions.json');
  await writeFile(
    submissions,
    JSON.stringify([
      { name: 'image', image: 'lbspec/reference:latest', capabilities: 'all', reload: 'sighup' },
    ]),
  );
  const lbspec = fileURLToPath(new URL('../cli/lbspec.mjs', import.meta.url));
  const graded = spawnSync(
    process.execPath,
    [lbspec, 'grade', '--submissions', submissions, '--reports', join(work, 'grades'), '--tags', '@task-01'],
    { encoding: 'utf8', env: { ...process.env, LBSPEC_REPORTS_DIR: '' } },
  );
  assert.equal(graded.status, 0, `${graded.stdout}\n${graded.stderr}`);
  const board = JSON.parse(await readFile(join(work, 'grades', 'scoreboard.json'), 'utf8')) as Scoreboard;
  assert.equal(board.rows[0]?.verdict, 'pass');
  assert.equal(board.rows[0]?.byTask['task-01']?.score, 1);
  const report = JSON.parse(await readFile(join(work, 'grades', 'image', 'conformance.json'), 'utf8'));
  assert.equal(report.adapter?.name, 'image');
});
