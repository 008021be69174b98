/**
 * Runs the whole suite as a user would, through the command adapter:
 * - against each deliberately broken balancer in fixtures/broken/, running the scenarios its defect
 *   breaks (by id) and requiring every one to fail: a scenario a broken balancer passes is a check
 *   that cannot fail; every scenario must be broken by one of them;
 * - against the reference declaring fewer capabilities, requiring the rest to be reported
 *   unsupported, never passed or failed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mistakes } from '../harness/mistakes/catalogue.ts';
import { readScenarios } from '../harness/spec/scenario-catalogue.ts';
import { scenarioId } from '../harness/spec/scenario-id.ts';
import { expectations } from './broken-expectations.ts';
import { spreadOverRuns } from './broken-runs.ts';
import { commandBalancer, runSuite, type SuiteRun } from './run-suite.ts';

const idOf = (scenario: { id?: string; name: string }): string => {
  assert.ok(scenario.id, `scenario "${scenario.name}" has no @id: tag`);
  return scenario.id;
};

// The pairs of broken balancer and scenario it breaks run in a few runs of the suite, each run
// meeting every scenario with the broken balancer its plan names (test/broken-by-scenario.ts):
// one start of cucumber per run, not per balancer. Only those scenarios run; the reference and
// the small balancer show that the others pass. The four runs go at once, each scenario after
// scenario (with the run of a balancer that must also pass its tags beside them): about four at a
// time on two cores, as many as a must-fail scenario still fails under (eight at a time starved a
// health-check pattern of the requests that show its defect).
// LBSPEC_BROKEN=name,name runs only those broken balancers (while one is being written).
const chosen = process.env.LBSPEC_BROKEN?.split(',').map((name) => name.trim());
for (const name of chosen ?? [])
  assert.ok(name in expectations, `LBSPEC_BROKEN: no broken balancer "${name}"`);
const mustFailOnly = Object.fromEntries(
  Object.entries(expectations)
    .filter(([balancer, expectation]) => !expectation.passes && (!chosen || chosen.includes(balancer)))
    .map(([balancer, { mustFail }]) => [balancer, mustFail]),
);
const plan = spreadOverRuns(mustFailOnly, 4);
let planRuns: Promise<SuiteRun[]> | undefined;
const runPlan = (): Promise<SuiteRun[]> => {
  planRuns ??= Promise.all(
    plan.map((run, index) =>
      runSuite(
        {
          ...commandBalancer('test/broken-by-scenario.ts'),
          LBSPEC_BROKEN_BY_SCENARIO: JSON.stringify(Object.fromEntries(run)),
          LBSPEC_CAPABILITIES: 'all',
          LBSPEC_RELOAD: 'sighup',
          LBSPEC_NAME: `broken balancers, run ${index + 1}`,
        },
        [
          '--tags',
          [...run.keys()].map((id) => `@id:${id}`).join(' or '),
          // Each run in an order of its own: in the same order, the runs met the same scenario at
          // the same time (several balancers break the health-check scenarios), and four of them
          // at once starved each other's clients of the requests the diagnosis reads.
          '--order',
          `random:${index + 1}`,
        ],
      ),
    ),
  );
  return planRuns;
};

describe('the suite catches every broken balancer', { concurrency: true }, () => {
  test('each run of broken balancers fails, with a report of every scenario it was given', async () => {
    for (const [index, { report, exitCode, output }] of (await runPlan()).entries()) {
      assert.ok(report, `no report from run ${index + 1} of the broken balancers\n${output.slice(-4000)}`);
      assert.deepEqual(report.scenarios.map(idOf).sort(), [...(plan[index]?.keys() ?? [])].sort());
      assert.equal(exitCode, 1, `cucumber must exit 1 when scenarios fail, exited ${exitCode}`);
      assert.equal(report.verdict, 'fail');
    }
  });

  for (const [balancer, mustFail] of Object.entries(mustFailOnly)) {
    test(`${balancer} fails every scenario it breaks`, async () => {
      const runs = await runPlan();
      const outcomes = plan.flatMap((run, index) =>
        [...run]
          .filter(([, broken]) => broken === balancer)
          .map(([id]) => {
            const scenario = runs[index]?.report?.scenarios.find((s) => s.id === id);
            return {
              id,
              outcome: scenario?.outcome ?? 'not run',
              suggested: (scenario?.likelyMistakes ?? []).map((suggestion) => suggestion.id),
              output: runs[index]?.output ?? '',
            };
          }),
      );
      const notFailed = outcomes.filter(({ outcome }) => outcome !== 'failed');
      const named = notFailed.map(({ id, outcome }) => `${id} ${outcome}`);
      assert.deepEqual(
        named,
        [],
        `${balancer} must fail every scenario it breaks, but: ${named.join(', ')}\n${notFailed[0]?.output.slice(-4000) ?? ''}`,
      );
      assert.deepEqual(outcomes.map(({ id }) => id).sort(), [...mustFail].sort());
      // Where the catalogue says its mistake explains the failure, the report must say so, among
      // its first two suggestions.
      const mistake = expectations[balancer]?.mistake;
      const explained = mistakes.find(({ id }) => id === mistake)?.scenarios ?? [];
      const missed = outcomes
        .filter(({ id }) => explained.includes(id))
        .filter(({ suggested }) => !suggested.slice(0, 2).includes(mistake as string))
        .map(({ id, suggested }) => `${id} (suggested: ${suggested.join(', ') || 'nothing'})`);
      assert.deepEqual(
        missed,
        [],
        `${balancer} embodies ${mistake}, which its report does not suggest for ${missed.join('; ')}`,
      );
    });
  }

  // One that stands for a correct balancer which chose differently runs on its own: it must also
  // pass every other scenario of its tags.
  for (const [balancer, { mustFail, passes }] of Object.entries(expectations)) {
    if (!passes || (chosen && !chosen.includes(balancer))) continue;
    test(`${balancer} fails every scenario it breaks and passes the others of ${passes}`, async () => {
      const broken = mustFail.map((id) => `@id:${id}`).join(' or ');
      const { report, exitCode, output } = await runSuite(
        {
          ...commandBalancer(`fixtures/broken/${balancer}.ts`),
          LBSPEC_CAPABILITIES: 'all',
          LBSPEC_RELOAD: 'sighup',
          LBSPEC_NAME: balancer,
        },
        ['--tags', `${broken} or (${passes})`],
      );
      assert.ok(report, `no report from the run against ${balancer}\n${output}`);
      const outcomes = report.scenarios.map((s) => `${idOf(s)} ${s.outcome}`).sort();
      const expected = report.scenarios.map(
        (s) => `${idOf(s)} ${mustFail.includes(idOf(s)) ? 'failed' : 'passed'}`,
      );
      assert.deepEqual(outcomes, expected.sort(), output.slice(-4000));
      assert.deepEqual(
        mustFail.filter((id) => !report.scenarios.some((s) => s.id === id)),
        [],
        `scenarios ${balancer} breaks did not run`,
      );
      assert.equal(exitCode, 1, `cucumber must exit 1 when scenarios fail, exited ${exitCode}`);
      assert.equal(report.verdict, 'fail');
    });
  }
});

const catalogue = readScenarios(join(fileURLToPath(new URL('..', import.meta.url)), 'features'));

test('every scenario named here exists', () => {
  const known = new Set(catalogue.map((entry) => scenarioId(entry.tags)));
  const named = Object.values(expectations).flatMap(({ mustFail }) => mustFail);
  assert.deepEqual(
    named.filter((id) => !known.has(id)),
    [],
  );
});

test('every scenario is failed by at least one broken balancer', () => {
  const caught = new Set(Object.values(expectations).flatMap((expectation) => expectation.mustFail));
  const uncaught = catalogue
    .map((entry) => scenarioId(entry.tags) ?? entry.name)
    .filter((id) => !caught.has(id));
  assert.deepEqual(
    uncaught,
    [],
    'scenarios no broken balancer fails: add a broken balancer that breaks each',
  );
});

test('capabilities a balancer does not declare are reported unsupported, with the reason, and pass the run', async () => {
  // The round-robin task only: the file declares l7 and round-robin, and gives l4 a reason of its own.
  const { report, exitCode, output } = await runSuite(
    {
      ...commandBalancer('reference/src/main.ts'),
      LBSPEC_CAPABILITIES_FILE: 'fixtures/capabilities/http-only.json',
      LBSPEC_NAME: 'http-only',
      LBSPEC_VERSION: '0.0.1',
    },
    ['--tags', '@task-01'],
  );
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

test('a scenario whose config needs a capability its tags leave out fails as a suite error', async () => {
  // The timeouts feature balances over two backends round robin; without @round-robin a balancer
  // lacking it would be failed instead of reported unsupported, so the run must fail and say why.
  const directory = await mkdtemp(join(tmpdir(), 'lbspec-untagged-'));
  try {
    const feature = await readFile('features/timeouts.feature', 'utf8');
    const [firstLine = '', ...rest] = feature.split('\n');
    assert.match(firstLine, /@round-robin/, 'the feature this test edits no longer declares @round-robin');
    const untagged = join(directory, 'untagged.feature');
    await writeFile(untagged, [firstLine.replace(' @round-robin', ''), ...rest].join('\n'));
    const { report, exitCode, output } = await runSuite(
      { ...commandBalancer('reference/src/main.ts'), LBSPEC_CAPABILITIES: 'all', LBSPEC_RELOAD: 'sighup' },
      [untagged, 'features/timeouts.feature', '--name', 'never answers'],
    );
    assert.ok(report, output);
    // The original runs beside its copy: only the copy lacks the tag.
    const copy = report.scenarios.find((scenario) => scenario.uri.endsWith('untagged.feature'));
    const original = report.scenarios.find((scenario) => scenario.uri === 'features/timeouts.feature');
    assert.equal(original?.outcome, 'passed', output);
    assert.equal(copy?.outcome, 'failed', output);
    assert.match(copy?.reason ?? '', /suite error: .*@round-robin \(for \/pools\/main\/algorithm\)/);
    assert.equal(exitCode, 1);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test('a run that checks nothing exits non-zero and says why: no scenario selected, or none supported', async () => {
  const none = await runSuite({ ...commandBalancer('reference/src/main.ts'), LBSPEC_CAPABILITIES: 'all' }, [
    '--tags',
    '@no-such-tag',
  ]);
  assert.equal(none.exitCode, 1, none.output);
  assert.match(none.output, /no scenario matched the tags/);
  const unsupported = await runSuite(
    { ...commandBalancer('reference/src/main.ts'), LBSPEC_CAPABILITIES: 'l7,round-robin' },
    ['--tags', '@l4 and @round-robin'],
  );
  assert.equal(
    unsupported.report?.totals.unsupported,
    unsupported.report?.scenarios.length,
    unsupported.output,
  );
  assert.equal(unsupported.exitCode, 1, unsupported.output);
  assert.match(unsupported.output, /every selected scenario needs a capability/);
});
