import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { attributeCoverage, quickestFirst, scenarioRuns } from './scenario-runs.ts';

const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

/** The envelopes cucumber writes for one scenario whose steps end with the given statuses. */
function scenario(
  n: number,
  line: number,
  startMs: number,
  endMs: number,
  statuses: string[],
  retried = false,
) {
  return [
    { pickle: { id: `p${n}`, uri: 'features/a.feature', location: { line }, name: `scenario ${n}` } },
    { testCase: { id: `c${n}`, pickleId: `p${n}` } },
    { testCaseStarted: { id: `s${n}`, testCaseId: `c${n}`, timestamp: at(startMs) } },
    ...statuses.map((status) => ({
      testStepFinished: {
        testCaseStartedId: `s${n}`,
        testStepResult: { status, message: `${status} at ${n}` },
      },
    })),
    { testCaseFinished: { testCaseStartedId: `s${n}`, timestamp: at(endMs), willBeRetried: retried } },
  ] as unknown as Envelope[];
}

test('a scenario is passed, failed with its first failure message, or skipped, and ordered by start', () => {
  const runs = scenarioRuns([
    ...scenario(2, 20, 3_000, 4_000, ['PASSED', 'FAILED', 'SKIPPED']),
    ...scenario(1, 10, 1_000, 2_500, ['PASSED', 'PASSED']),
    ...scenario(3, 30, 5_000, 5_001, ['SKIPPED']),
  ]);
  assert.deepEqual(
    runs.map(({ id, outcome, failureMessage }) => ({ id, outcome, failureMessage })),
    [
      { id: 'features/a.feature:10', outcome: 'passed', failureMessage: undefined },
      { id: 'features/a.feature:20', outcome: 'failed', failureMessage: 'FAILED at 2' },
      { id: 'features/a.feature:30', outcome: 'skipped', failureMessage: undefined },
    ],
  );
  assert.equal(runs[0]?.startedAtMs, 1_000);
  assert.equal(runs[0]?.finishedAtMs, 2_500);
});

test('an undefined or ambiguous step fails its scenario; an attempt to be retried is not counted', () => {
  const runs = scenarioRuns([
    ...scenario(1, 10, 0, 1, ['UNDEFINED']),
    ...scenario(2, 20, 2, 3, ['FAILED'], true),
  ]);
  assert.deepEqual(
    runs.map((run) => [run.id, run.outcome]),
    [['features/a.feature:10', 'failed']],
  );
});

test('a process counts for the scenario running when it started, or for none', () => {
  const runs = scenarioRuns([
    ...scenario(1, 10, 1_000, 2_000, ['PASSED']),
    ...scenario(2, 20, 3_000, 4_000, ['PASSED']),
  ]);
  const { perScenario, unattributed } = attributeCoverage(runs, [
    { pid: 1, startedAtMs: 1_500, mutants: ['1', '2'] },
    { pid: 2, startedAtMs: 3_000, mutants: ['3'] },
    { pid: 3, startedAtMs: 2_500, mutants: ['4'] },
  ]);
  assert.deepEqual([...(perScenario.get('features/a.feature:10') ?? [])], ['1', '2']);
  assert.deepEqual([...(perScenario.get('features/a.feature:20') ?? [])], ['3']);
  assert.deepEqual([...unattributed], ['4']);
});

test("a mutant's scenarios run quickest first: those that fit the first batch's time, then the rest", () => {
  const costs = new Map([
    ['slow', 30_000],
    ['quick', 1_000],
    ['middling', 8_000],
    ['quicker', 500],
  ]);
  assert.deepEqual(quickestFirst(['slow', 'quick', 'middling', 'quicker', 'unknown'], costs), [
    ['quicker', 'quick', 'middling'],
    ['slow', 'unknown'],
  ]);
  // The first batch holds at least one scenario, however slow.
  assert.deepEqual(quickestFirst(['slow'], costs), [['slow']]);
  assert.deepEqual(quickestFirst([], costs), []);
});
