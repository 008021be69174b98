import type { Envelope, Timestamp } from '@cucumber/messages';

/** One scenario as a cucumber run saw it: which, when, and how it ended. */
export interface ScenarioRun {
  /** `uri:line`, which cucumber takes back as a path to run exactly this scenario (or example row). */
  readonly id: string;
  readonly name: string;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  readonly outcome: 'passed' | 'failed' | 'skipped';
  readonly failureMessage?: string;
}

/** What a process that ran mutated code reached, and when it started (coverage-dump.mjs). */
export interface CoverageRecord {
  readonly pid: number;
  readonly startedAtMs: number;
  readonly mutants: readonly string[];
}

const failing = new Set(['FAILED', 'AMBIGUOUS', 'UNDEFINED', 'PENDING']);

/** The scenarios a run's messages (messages.ndjson) record, in the order they started. */
export function scenarioRuns(envelopes: readonly Envelope[]): ScenarioRun[] {
  const pickles = new Map<string, { id: string; name: string }>();
  const testCasePickle = new Map<string, string>();
  const started = new Map<string, { testCaseId: string; atMs: number }>();
  const statuses = new Map<string, { failed: boolean; skipped: boolean; message?: string }>();
  const runs: ScenarioRun[] = [];
  for (const envelope of envelopes) {
    if (envelope.pickle) {
      const { id, uri, location, name } = envelope.pickle;
      pickles.set(id, { id: `${uri}:${location?.line ?? 0}`, name });
    } else if (envelope.testCase) {
      testCasePickle.set(envelope.testCase.id, envelope.testCase.pickleId);
    } else if (envelope.testCaseStarted) {
      const { id, testCaseId, timestamp } = envelope.testCaseStarted;
      started.set(id, { testCaseId, atMs: milliseconds(timestamp) });
      statuses.set(id, { failed: false, skipped: false });
    } else if (envelope.testStepFinished) {
      const { testCaseStartedId, testStepResult } = envelope.testStepFinished;
      const status = statuses.get(testCaseStartedId);
      if (!status) continue;
      if (failing.has(testStepResult.status)) {
        status.failed = true;
        status.message ??= testStepResult.message ?? testStepResult.status;
      } else if (testStepResult.status === 'SKIPPED') status.skipped = true;
    } else if (envelope.testCaseFinished) {
      const { testCaseStartedId, timestamp, willBeRetried } = envelope.testCaseFinished;
      const start = started.get(testCaseStartedId);
      const status = statuses.get(testCaseStartedId);
      const pickle = pickles.get(testCasePickle.get(start?.testCaseId ?? '') ?? '');
      if (!start || !status || !pickle || willBeRetried) continue;
      runs.push({
        id: pickle.id,
        name: pickle.name,
        startedAtMs: start.atMs,
        finishedAtMs: milliseconds(timestamp),
        outcome: status.failed ? 'failed' : status.skipped ? 'skipped' : 'passed',
        ...(status.message === undefined ? {} : { failureMessage: status.message }),
      });
    }
  }
  return runs.sort((a, b) => a.startedAtMs - b.startedAtMs);
}

/**
 * The mutants each scenario reached, from the processes it started. Scenarios ran one after
 * another, so a process belongs to the scenario running when it started; a process started
 * between scenarios (none should be) counts for all of them.
 */
export function attributeCoverage(
  runs: readonly ScenarioRun[],
  records: readonly CoverageRecord[],
): {
  readonly perScenario: ReadonlyMap<string, ReadonlySet<string>>;
  readonly unattributed: ReadonlySet<string>;
} {
  const perScenario = new Map<string, Set<string>>(runs.map((run) => [run.id, new Set<string>()]));
  const unattributed = new Set<string>();
  for (const record of records) {
    const run = runs.find((r) => r.startedAtMs <= record.startedAtMs && record.startedAtMs <= r.finishedAtMs);
    const into = run ? (perScenario.get(run.id) as Set<string>) : unattributed;
    for (const mutant of record.mutants) into.add(mutant);
  }
  return { perScenario, unattributed };
}

// Scenarios that together took this long in the dry run make up a mutant's first batch.
const firstBatchMs = 10_000;

/**
 * A mutant's scenarios in at most two batches: the quickest that fit in firstBatchMs (at least one),
 * then the rest. Most mutants fail a quick scenario, so most never pay for the slow ones.
 */
export function quickestFirst(
  scenarios: readonly string[],
  costs: ReadonlyMap<string, number>,
): readonly (readonly string[])[] {
  const sorted = [...scenarios].sort((a, b) => (costs.get(a) ?? Infinity) - (costs.get(b) ?? Infinity));
  let spent = 0;
  let cut = 0;
  while (
    cut < sorted.length &&
    (cut === 0 || spent + (costs.get(sorted[cut] as string) ?? Infinity) <= firstBatchMs)
  ) {
    spent += costs.get(sorted[cut] as string) ?? 0;
    cut++;
  }
  return [sorted.slice(0, cut), sorted.slice(cut)].filter((batch) => batch.length > 0);
}

function milliseconds({ seconds, nanos }: Timestamp): number {
  return seconds * 1000 + nanos / 1e6;
}
