/**
 * Runs the whole suite as a user would, through the command adapter:
 * - against each deliberately broken balancer in fixtures/broken/, requiring exactly the scenarios
 *   that defect breaks to fail and every other scenario to pass (a scenario that a broken balancer
 *   should fail but passes is a check that cannot fail; one that fails without reason is wrong);
 * - against the reference declaring fewer capabilities, requiring the rest to be reported
 *   unsupported, never passed or failed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandBalancer, runSuite } from './run-suite.ts';

const evenSpread = (protocol: string) => `Sequential ${protocol} requests are spread exactly evenly`;
const rotation = (protocol: string) =>
  `${protocol} requests rotate in the order the config lists the backends`;
const concurrent = (protocol: string) => `Concurrent ${protocol} clients are still spread exactly evenly`;
const stoppedBackend = (protocol: string) => `A stopped ${protocol} backend is never a silent success`;
const reconfigured = (protocol: string) =>
  `Changing the ${protocol} pool at runtime rotates over its new backends only`;
const onlyBackend = (protocol: string) => `A pool of one ${protocol} backend gets every request`;
const halfClose = 'A TCP connection carries data both ways across a half-close';
const both = (scenario: (protocol: string) => string) => [scenario('HTTP'), scenario('TCP')];

/** Each broken balancer and the scenarios it must fail; all others must pass. */
const expectations: Record<string, readonly string[]> = {
  'always-first': [
    ...both(evenSpread),
    ...both(rotation),
    ...both(concurrent),
    ...both(stoppedBackend),
    ...both(reconfigured),
  ],
  'seeded-random': [
    ...both(evenSpread),
    ...both(rotation),
    ...both(concurrent),
    ...both(stoppedBackend),
    ...both(reconfigured),
  ],
  'reverse-rotation': both(rotation),
  'silent-failure': [stoppedBackend('HTTP')],
  'no-half-close': [halfClose],
  'stale-reload': both(reconfigured),
  'no-repeat': both(onlyBackend),
};

const scenariosSeen = new Set<string>();

describe('the suite catches every broken balancer', { concurrency: 2 }, () => {
  for (const [balancer, mustFail] of Object.entries(expectations)) {
    test(`${balancer} fails exactly the scenarios it breaks`, async () => {
      const { report, exitCode, output } = await runSuite({
        ...commandBalancer(`fixtures/broken/${balancer}.ts`),
        LBSPEC_CAPABILITIES: 'all',
        LBSPEC_RELOAD: 'sighup',
        LBSPEC_NAME: balancer,
      });
      assert.ok(report, `no report from the run against ${balancer}\n${output}`);
      for (const scenario of report.scenarios) scenariosSeen.add(scenario.name);
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

test('every scenario is failed by at least one broken balancer', () => {
  const caught = new Set(Object.values(expectations).flat());
  assert.ok(scenariosSeen.size > 0, 'the broken-balancer runs saw no scenario');
  const uncaught = [...scenariosSeen].filter((name) => !caught.has(name));
  assert.deepEqual(
    uncaught,
    [],
    'scenarios no broken balancer fails: add a broken balancer that breaks each',
  );
});

test('capabilities a balancer does not declare are reported unsupported, with the reason, and pass the run', async () => {
  const { report, exitCode, output } = await runSuite({
    ...commandBalancer('reference/src/main.ts'),
    LBSPEC_CAPABILITIES_FILE: 'fixtures/capabilities/http-only.json',
    LBSPEC_NAME: 'http-only',
    LBSPEC_VERSION: '0.0.1',
  });
  assert.ok(report, output);
  const tcpScenarios = report.scenarios.filter((s) => s.tags.includes('@l4'));
  const httpScenarios = report.scenarios.filter((s) => !s.tags.includes('@l4'));
  assert.ok(tcpScenarios.length > 0 && httpScenarios.length > 0);
  for (const scenario of tcpScenarios) {
    assert.equal(scenario.outcome, 'unsupported', scenario.name);
    assert.equal(scenario.reason, 'http-only lacks l4: this build speaks HTTP only');
  }
  for (const scenario of httpScenarios)
    assert.equal(scenario.outcome, 'passed', `${scenario.name}\n${output.slice(-3000)}`);
  assert.deepEqual(report.totals, {
    passed: httpScenarios.length,
    failed: 0,
    unsupported: tcpScenarios.length,
    skipped: 0,
  });
  assert.equal(`${report.adapter?.name} ${report.adapter?.version}`, 'http-only 0.0.1');
  assert.equal(report.verdict, 'pass');
  assert.equal(exitCode, 0);
});
