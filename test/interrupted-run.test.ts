import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ConformanceReport } from '../harness/report/conformance.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const cucumber = join(projectRoot, 'node_modules/@cucumber/cucumber/bin/cucumber.js');
const lbspec = join(projectRoot, 'cli/lbspec.mjs');

/**
 * Starts a run of round robin's scenarios in a process group of its own, waits until one scenario
 * has finished (while others run), sends `signal` as `target` says, and checks what a signal must
 * leave: the exit status, an interrupted report and junit.xml, and no balancer directory.
 */
async function interrupt(
  t: test.TestContext,
  args: readonly string[],
  signal: 'SIGINT' | 'SIGTERM',
  target: 'group' | 'process',
): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'lbspec-interrupted-'));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const reports = join(scratch, 'reports');
  const temporary = join(scratch, 'tmp');
  await mkdir(temporary);
  const child = spawn(process.execPath, [...args, '--tags', '@task-01', '--parallel', '2'], {
    cwd: projectRoot,
    // Balancer directories go to a temporary directory of the run's own, so that what is left is its own.
    env: { ...process.env, LBSPEC_REPORTS_DIR: reports, TMPDIR: temporary },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const exited = once(child, 'exit');
  // Every process of the run holds its output open: the pipe closes once the last of them is gone.
  const outputClosed = once(child.stdout, 'close').then(() => true);
  const deadline = Date.now() + 60_000;
  while (!/\[1\/\d+\] passed/.test(output) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  assert.match(output, /\[1\/\d+\] passed/, 'no scenario finished within a minute');
  process.kill(target === 'group' ? -(child.pid as number) : (child.pid as number), signal);
  const [code, how] = await exited;
  assert.equal(code, signal === 'SIGINT' ? 130 : 143, `exited ${code} (${how})\n${output}`);
  assert.match(
    output,
    new RegExp(`FAIL \\(\\d+ passed.*interrupted by ${signal}, \\d+ scenarios unfinished`),
  );
  const report = JSON.parse(await readFile(join(reports, 'conformance.json'), 'utf8')) as ConformanceReport;
  assert.equal(report.verdict, 'fail');
  assert.equal(report.interrupted?.signal, signal);
  assert.ok(report.totals.passed >= 1);
  const junit = await readFile(join(reports, 'junit.xml'), 'utf8');
  assert.match(junit, /<testsuite name="reference" [^>]*errors="1"/);
  assert.match(junit, new RegExp(`<error message="interrupted by ${signal}">`));
  assert.match(
    await readFile(join(reports, 'conformance.md'), 'utf8'),
    new RegExp(`\\*\\*Interrupted\\*\\* by ${signal}`),
  );
  const gone = await Promise.race([outputClosed, new Promise((r) => setTimeout(r, 10_000, false))]);
  assert.ok(gone, 'a process of the run (a worker, a backend) outlived it by 10 s');
  // Workers end on the same signal: give them a moment to finish their cleanup, then look.
  const leftBehind = async () =>
    (await readdir(temporary)).filter((name) => name.startsWith('lbspec-balancer-'));
  for (let i = 0; i < 100 && (await leftBehind()).length > 0; i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(await leftBehind(), []);
}

// Ctrl-C in a terminal, or a CI's cancel, signals the whole process group.
test('a run ended by SIGINT writes an interrupted report and junit.xml, exits 130, and leaves no balancer directory', (t) =>
  interrupt(t, [cucumber], 'SIGINT', 'group'));

// A CI that stops only the process it started: lbspec passes the signal on to the suite.
test('lbspec signalled alone passes the signal on: the suite writes its interrupted reports, and lbspec exits 143', (t) =>
  interrupt(t, [lbspec, '--adapter', 'reference'], 'SIGTERM', 'process'));
