/**
 * lbspec as its users meet it, end to end:
 * - packed and installed into an empty project, without this repository, `npx lbspec` runs the suite
 *   against a small balancer there and writes the reports there;
 * - `lbspec grade` runs three submissions and writes a scoreboard;
 * - three shards of a run, merged, give the outcomes and the verdict the unsharded run gives.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ConformanceReport } from '../harness/report/conformance.ts';
import type { Scoreboard } from '../harness/report/scoreboard.ts';
import { commandBalancer, runCollecting as run } from './run-suite.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const lbspec = join(projectRoot, 'cli', 'lbspec.mjs');
const smallBalancer = join(projectRoot, 'fixtures', 'small-balancer', 'small-balancer.mjs');
// Round robin's scenarios: quick, over HTTP and TCP, and a broken balancer fails one of them.
const tags = ['--tags', '@task-01'];

const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;
// The settings of this repository's own runs must not leak into the runs under test.
const clean = { LBSPEC_REPORTS_DIR: '', LBSPEC_ADAPTER: '', LBSPEC_COMMAND: '', LBSPEC_CAPABILITIES: '' };
const brokenCommand = (name: string) =>
  commandBalancer(`fixtures/broken/${name}.ts`).LBSPEC_COMMAND as string;

describe('lbspec where its users work', { concurrency: 1 }, () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'lbspec-package-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('packed and installed in an empty project, npx lbspec tests a balancer there', async () => {
    const packed = await run('npm', ['pack', '--silent', '--pack-destination', work], projectRoot);
    assert.equal(packed.code, 0, packed.output);
    const tarball = join(work, packed.output.trim().split('\n').at(-1) as string);
    const project = join(work, 'project');
    await run('mkdir', ['-p', project], work);
    await writeFile(join(project, 'package.json'), '{ "name": "my-balancer", "private": true }\n');
    const installed = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', tarball],
      project,
    );
    assert.equal(installed.code, 0, installed.output);
    const modules = await readdir(join(project, 'node_modules'));
    for (const optional of ['testcontainers', 'ssh2', 'cpu-features'])
      assert.ok(!modules.includes(optional), `${optional} is installed, though no container is used`);
    // protobufjs comes with @grpc/grpc-js, which the gRPC scenarios need; its postinstall only
    // checks versions. The container add-ons' native builds must not come along.
    assert.doesNotMatch(installed.output, /ssh2|cpu-features/, 'no container add-on asks to run scripts');

    await copyFile(smallBalancer, join(project, 'small-balancer.mjs'));
    const help = await run('npx', ['lbspec', '--help'], project, clean);
    assert.equal(help.code, 0, help.output);
    assert.match(help.output, /usage: lbspec <command>/);
    const tested = await run(
      'npx',
      [
        'lbspec',
        '--command',
        'node small-balancer.mjs --config {config}',
        '--capabilities',
        'l7,l4,round-robin',
        ...tags,
      ],
      project,
      clean,
    );
    assert.equal(tested.code, 0, tested.output);
    const report = await readJson<ConformanceReport>(join(project, 'lbspec-reports', 'conformance.json'));
    assert.equal(report.verdict, 'pass');
    assert.equal(report.adapter?.name, 'small-balancer.mjs');
    assert.ok(report.totals.passed >= 10 && report.totals.failed === 0, JSON.stringify(report.totals));
    assert.ok((await readdir(join(project, 'lbspec-reports'))).includes('junit.xml'));
  });

  test('lbspec grade runs three submissions once each and scores them per task', async () => {
    const submissions = join(work, 'submissions.json');
    await writeFile(
      submissions,
      JSON.stringify({
        submissions: [
          {
            name: 'reference',
            command: commandBalancer('reference/src/main.ts').LBSPEC_COMMAND,
            capabilities: 'all',
          },
          {
            name: 'small',
            command: `node ${smallBalancer} --config {config}`,
            capabilities: 'l7,l4,round-robin',
          },
          { name: 'silent-failure', command: brokenCommand('silent-failure'), capabilities: 'all' },
        ],
      }),
    );
    const graded = await run(
      process.execPath,
      [lbspec, 'grade', '--submissions', submissions, '--reports', join(work, 'grades'), ...tags],
      work,
      clean,
    );
    assert.equal(graded.code, 0, graded.output);
    const board = await readJson<Scoreboard>(join(work, 'grades', 'scoreboard.json'));
    const scores = Object.fromEntries(board.rows.map((row) => [row.name, row.byTask['task-01']?.score]));
    assert.equal(scores.reference, 1);
    assert.equal(scores.small, 1);
    assert.ok((scores['silent-failure'] ?? 1) < 1, `silent-failure scored ${scores['silent-failure']}`);
    for (const file of ['scoreboard.md', 'scoreboard.html', 'silent-failure/conformance.html'])
      assert.ok((await readFile(join(work, 'grades', file), 'utf8')).length > 0, file);
  });

  test('three shards merged give the outcomes and the verdict of the unsharded run', async () => {
    const whole = await readJson<ConformanceReport>(
      join(work, 'grades', 'silent-failure', 'conformance.json'),
    );
    const settings = ['--command', brokenCommand('silent-failure'), '--capabilities', 'all', ...tags];
    const shards = [1, 2, 3].map((index) => join(work, `shard-${index}`));
    for (const [index, shard] of shards.entries()) {
      const ran = await run(
        process.execPath,
        [lbspec, ...settings, '--shard', `${index + 1}/3`, '--reports', shard],
        work,
        clean,
      );
      assert.ok(ran.code === 0 || ran.code === 1, ran.output);
    }
    const merged = await run(
      process.execPath,
      [lbspec, 'merge', '--reports', join(work, 'merged'), ...shards],
      work,
    );
    assert.equal(merged.code, whole.verdict === 'pass' ? 0 : 1, merged.output);
    const report = await readJson<ConformanceReport>(join(work, 'merged', 'conformance.json'));
    const outcomes = (r: ConformanceReport) => r.scenarios.map((s) => `${s.id} ${s.outcome}`).sort();
    assert.deepEqual(outcomes(report), outcomes(whole));
    assert.deepEqual(report.totals, whole.totals);
    const taskTotals = (r: ConformanceReport) => r.byTask.map((task) => [task.tag, task.totals]);
    assert.deepEqual(taskTotals(report), taskTotals(whole));
    assert.equal(report.verdict, whole.verdict);
    assert.match(await readFile(join(work, 'merged', 'junit.xml'), 'utf8'), /failures="1"/);
  });
});
