/**
 * Runs the whole suite against each deliberately broken balancer in fixtures/broken/, through the
 * command adapter as a user's balancer would run, and checks that exactly the scenarios that defect
 * breaks fail and every other scenario passes. A scenario that a broken balancer should fail but
 * passes is a check that cannot fail; one that fails without reason is a flaky or wrong check.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ConformanceReport } from '../steps/support/report/conformance.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const cucumber = join(projectRoot, 'node_modules/@cucumber/cucumber/bin/cucumber.js');

const evenSpread = (protocol: string) => `Sequential ${protocol} requests are spread exactly evenly`;
const rotation = (protocol: string) =>
  `${protocol} requests rotate in the order the config lists the backends`;
const concurrent = (protocol: string) => `Concurrent ${protocol} clients are still spread exactly evenly`;
const stoppedBackend = (protocol: string) => `A stopped ${protocol} backend is never a silent success`;
const halfClose = 'A TCP connection carries data both ways across a half-close';
const both = (scenario: (protocol: string) => string) => [scenario('HTTP'), scenario('TCP')];

/** Each broken balancer and the scenarios it must fail; all others must pass. */
const expectations: Record<string, readonly string[]> = {
  'always-first': [...both(evenSpread), ...both(rotation), ...both(concurrent), ...both(stoppedBackend)],
  'seeded-random': [...both(evenSpread), ...both(rotation), ...both(concurrent), ...both(stoppedBackend)],
  'reverse-rotation': both(rotation),
  'silent-failure': [stoppedBackend('HTTP')],
  'no-half-close': [halfClose],
};

async function runSuiteAgainst(
  balancer: string,
): Promise<{ report: ConformanceReport; exitCode: number | null; output: string }> {
  const reports = await mkdtemp(join(tmpdir(), `lbspec-broken-${balancer}-`));
  try {
    const child = spawn(process.execPath, [cucumber, '--format', 'summary'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        LBSPEC_REPORTS_DIR: reports,
        LBSPEC_ADAPTER: 'command',
        LBSPEC_COMMAND: `node --import tsx fixtures/broken/${balancer}.ts --config {config} --exit-on-stdin-close`,
        LBSPEC_CAPABILITIES: 'all',
        LBSPEC_RELOAD: 'sighup',
        LBSPEC_NAME: balancer,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const report = JSON.parse(await readFile(join(reports, 'conformance.json'), 'utf8')) as ConformanceReport;
    return { report, exitCode, output };
  } finally {
    await rm(reports, { recursive: true, force: true });
  }
}

describe('the suite catches every broken balancer', { concurrency: 2 }, () => {
  for (const [balancer, mustFail] of Object.entries(expectations)) {
    test(`${balancer} fails exactly the scenarios it breaks`, async () => {
      const { report, exitCode, output } = await runSuiteAgainst(balancer);
      const failed = report.scenarios.filter((s) => s.outcome === 'failed').map((s) => s.name);
      const notPassed = report.scenarios.filter((s) => s.outcome !== 'passed' && s.outcome !== 'failed');
      assert.deepEqual(notPassed, [], `every scenario should run against ${balancer}`);
      assert.deepEqual(
        [...failed].sort(),
        [...mustFail].sort(),
        `scenarios failed by ${balancer} (left) differ from those it breaks (right)\n${output.slice(-4000)}`,
      );
      assert.equal(exitCode, 1, `cucumber must exit 1 when scenarios fail, exited ${exitCode}`);
      assert.equal(report.verdict, 'fail');
    });
  }
});
