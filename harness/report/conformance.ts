import type { Envelope, TestStepResultStatus } from '@cucumber/messages';
import type { AdapterDescription } from '../adapters/adapter.ts';
import { type Suggestion, suggestionText } from '../mistakes/diagnose.ts';
import { scenarioId } from '../spec/scenario-id.ts';
import { type TaskTag, tasks } from '../spec/tasks.ts';
import { mediaTypes } from './media-types.ts';
import { firstLineWithin } from './text-fit.ts';

/** How one scenario ended. "unsupported" means the balancer lacks a capability it needs. */
export type Outcome = 'passed' | 'failed' | 'unsupported' | 'skipped';

export type Totals = Record<Outcome, number>;

export interface ScenarioResult {
  /** Its stable id (its @id: tag), when it has one. */
  readonly id?: string;
  readonly name: string;
  readonly feature: string;
  readonly uri: string;
  readonly tags: readonly string[];
  readonly outcome: Outcome;
  readonly durationMs: number;
  /** Why it failed (first failing step's message) or why it is unsupported. */
  readonly reason?: string;
  /** What it attached (evidence text, charts), as paths relative to the reports directory. */
  readonly evidence?: readonly string[];
  /** A failed one's likely mistakes, best fit first (see docs/mistakes.md). */
  readonly likelyMistakes?: readonly Suggestion[];
}

/** An attachment to write beside the report. */
export interface EvidenceFile {
  /** Relative to the reports directory, under evidence/. */
  readonly path: string;
  readonly content: Buffer;
}

interface Attached {
  readonly mediaType: string;
  readonly content: Buffer;
  readonly fileName?: string;
}

export interface GroupResult {
  readonly name: string;
  readonly totals: Totals;
  readonly scenarios: readonly { name: string; outcome: Outcome }[];
}

export interface ConformanceReport {
  readonly adapter: AdapterDescription | null;
  readonly backendProvider: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** "pass" when no scenario failed, at least one ran, and the run was not interrupted. */
  readonly verdict: 'pass' | 'fail';
  /** Set when a signal ended the run: its scenarios so far, and how many had not finished. */
  readonly interrupted?: { readonly signal: string; readonly unfinished: number };
  readonly totals: Totals;
  readonly byFeature: readonly (GroupResult & { uri: string })[];
  readonly byTask: readonly (GroupResult & { tag: string })[];
  readonly scenarios: readonly ScenarioResult[];
}

const failingStatuses = new Set<TestStepResultStatus>([
  'FAILED' as TestStepResultStatus,
  'AMBIGUOUS' as TestStepResultStatus,
  'UNDEFINED' as TestStepResultStatus,
  'PENDING' as TestStepResultStatus,
  'UNKNOWN' as TestStepResultStatus,
]);

interface Attempt {
  testCaseId: string;
  startedMs: number;
  finishedMs?: number;
  willBeRetried?: boolean;
  statuses: TestStepResultStatus[];
  firstFailure?: string;
  unsupported?: string;
  /** Why it was not run here, when a step said so. */
  notRun?: string;
  likelyMistakes?: Suggestion[];
  attached: Attached[];
}

const toMs = (timestamp: { seconds: number; nanos: number }): number =>
  timestamp.seconds * 1000 + timestamp.nanos / 1e6;

/** Builds the conformance report from a run's cucumber messages. Pure: same messages, same report. */
export function buildConformanceReport(envelopes: readonly Envelope[]): ConformanceReport {
  return buildConformanceRun(envelopes).report;
}

/**
 * The report of a run a signal ended: what finished so far, failing, with how many scenarios were
 * still running; the run's end is now.
 */
export function interruptedReport(envelopes: readonly Envelope[], signal: string, nowMs: number) {
  const { report, evidence, unfinished } = buildConformanceRun(envelopes);
  const startedMs = Date.parse(report.startedAt);
  const interrupted: ConformanceReport = {
    ...report,
    durationMs: Math.max(0, Math.round(nowMs - startedMs)),
    verdict: 'fail',
    interrupted: { signal, unfinished },
  };
  return { report: interrupted, evidence };
}

/**
 * The report, every scenario's attachments as files for the evidence/ directory it links to, and
 * how many scenarios had started but not finished (none, unless a signal ended the run).
 */
export function buildConformanceRun(envelopes: readonly Envelope[]): {
  report: ConformanceReport;
  evidence: EvidenceFile[];
  unfinished: number;
} {
  const featureNames = new Map<string, string>();
  const pickles = new Map<string, { name: string; uri: string; tags: string[] }>();
  const pickleOfTestCase = new Map<string, string>();
  const attempts = new Map<string, Attempt>();
  let adapter: AdapterDescription | null = null;
  let backendProvider = 'unknown';
  let runStartedMs = 0;
  let runFinishedMs = 0;

  for (const envelope of envelopes) {
    if (envelope.gherkinDocument?.feature && envelope.gherkinDocument.uri) {
      featureNames.set(envelope.gherkinDocument.uri, envelope.gherkinDocument.feature.name);
    } else if (envelope.pickle) {
      const { id, name, uri, tags } = envelope.pickle;
      pickles.set(id, { name, uri, tags: tags.map((tag) => tag.name) });
    } else if (envelope.testCase) {
      pickleOfTestCase.set(envelope.testCase.id, envelope.testCase.pickleId);
    } else if (envelope.testCaseStarted) {
      const { id, testCaseId, timestamp } = envelope.testCaseStarted;
      attempts.set(id, { testCaseId, startedMs: toMs(timestamp), statuses: [], attached: [] });
    } else if (envelope.testStepFinished) {
      const attempt = attempts.get(envelope.testStepFinished.testCaseStartedId);
      const result = envelope.testStepFinished.testStepResult;
      attempt?.statuses.push(result.status);
      if (attempt && failingStatuses.has(result.status) && attempt.firstFailure === undefined) {
        attempt.firstFailure = assertionMessage(result.message ?? result.exception?.message ?? result.status);
      }
    } else if (envelope.attachment) {
      const { mediaType, body, testCaseStartedId, contentEncoding, fileName } = envelope.attachment;
      if (mediaType === mediaTypes.adapter && adapter === null) {
        const { backendProvider: provider, ...description } = JSON.parse(body) as AdapterDescription & {
          backendProvider?: string;
        };
        adapter = description;
        backendProvider = provider ?? backendProvider;
      }
      if (mediaType === mediaTypes.unsupported && testCaseStartedId) {
        const attempt = attempts.get(testCaseStartedId);
        const { adapter: name, reasons } = JSON.parse(body) as { adapter: string; reasons: string[] };
        if (attempt) attempt.unsupported = `${name} lacks ${reasons.join('; ')}`;
      } else if (mediaType === mediaTypes.notRun && testCaseStartedId) {
        const attempt = attempts.get(testCaseStartedId);
        if (attempt) attempt.notRun = body;
      } else if (mediaType === mediaTypes.diagnosis && testCaseStartedId) {
        const attempt = attempts.get(testCaseStartedId);
        if (attempt) attempt.likelyMistakes = JSON.parse(body) as Suggestion[];
      } else if (mediaType !== mediaTypes.adapter && testCaseStartedId) {
        const content = Buffer.from(body, (contentEncoding as string) === 'BASE64' ? 'base64' : 'utf8');
        attempts
          .get(testCaseStartedId)
          ?.attached.push({ mediaType, content, ...(fileName === undefined ? {} : { fileName }) });
      }
    } else if (envelope.testCaseFinished) {
      const attempt = attempts.get(envelope.testCaseFinished.testCaseStartedId);
      if (attempt) {
        attempt.finishedMs = toMs(envelope.testCaseFinished.timestamp);
        attempt.willBeRetried = envelope.testCaseFinished.willBeRetried;
      }
    } else if (envelope.testRunStarted) {
      runStartedMs = toMs(envelope.testRunStarted.timestamp);
    } else if (envelope.testRunFinished) {
      runFinishedMs = toMs(envelope.testRunFinished.timestamp);
    }
  }

  const scenarios: ScenarioResult[] = [];
  const evidence: EvidenceFile[] = [];
  const directories = new Set<string>();
  let unfinished = 0;
  for (const attempt of attempts.values()) {
    if (attempt.willBeRetried) continue;
    // Still running when a signal ended the run: it has no outcome.
    if (attempt.finishedMs === undefined) {
      unfinished++;
      continue;
    }
    const pickle = pickles.get(pickleOfTestCase.get(attempt.testCaseId) ?? '');
    if (!pickle) continue;
    const outcome = outcomeOf(attempt);
    const reason =
      outcome === 'failed'
        ? attempt.firstFailure
        : outcome === 'unsupported'
          ? attempt.unsupported
          : outcome === 'skipped'
            ? attempt.notRun
            : undefined;
    const files = evidenceOf(attempt.attached, uniqueDirectory(directories, pickle.uri, pickle.name));
    evidence.push(...files);
    const id = scenarioId(pickle.tags);
    scenarios.push({
      ...(id === undefined ? {} : { id }),
      name: pickle.name,
      feature: featureNames.get(pickle.uri) ?? pickle.uri,
      uri: pickle.uri,
      tags: pickle.tags,
      outcome,
      durationMs: Math.round((attempt.finishedMs ?? attempt.startedMs) - attempt.startedMs),
      ...(reason === undefined ? {} : { reason }),
      ...(files.length === 0 ? {} : { evidence: files.map((file) => file.path) }),
      ...(outcome === 'failed' && attempt.likelyMistakes?.length
        ? { likelyMistakes: attempt.likelyMistakes }
        : {}),
    });
  }
  const report = assembleReport(
    {
      adapter,
      backendProvider,
      startedAt: new Date(runStartedMs).toISOString(),
      durationMs: Math.round(runFinishedMs - runStartedMs),
    },
    scenarios,
  );
  return { report, evidence, unfinished };
}

/** What a report says of its run besides its scenarios. */
export type RunFacts = Pick<
  ConformanceReport,
  'adapter' | 'backendProvider' | 'startedAt' | 'durationMs' | 'interrupted'
>;

/**
 * A report from its run's facts and scenarios: scenarios in feature order, totals, the tables by
 * feature and by task, and the verdict, "pass" when none failed, one passed and nothing interrupted
 * the run.
 */
export function assembleReport(facts: RunFacts, results: readonly ScenarioResult[]): ConformanceReport {
  const scenarios = [...results].sort((a, b) => a.uri.localeCompare(b.uri));
  const totals = tally(scenarios);
  const byFeature = groupBy(scenarios, (scenario) => [scenario.uri]).map(([uri, members]) => ({
    uri,
    ...summarise(members[0]?.feature ?? uri, members),
  }));
  const byTask = groupBy(scenarios, (scenario) => scenario.tags.filter((tag) => /^@task-\d\d$/.test(tag)))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tag, members]) => ({ tag, ...summarise(tasks[tag.slice(1) as TaskTag] ?? tag, members) }));
  const clean = totals.failed === 0 && totals.passed > 0 && facts.interrupted === undefined;
  return { ...facts, verdict: clean ? 'pass' : 'fail', totals, byFeature, byTask, scenarios };
}

/** A name fit for a path: lower case, words joined by "-", at most 60 characters. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60)
      .replace(/-$/, '') || 'unnamed'
  );
}

/** evidence/<feature>/<scenario>, numbered when two scenarios would share one. */
export function uniqueDirectory(taken: Set<string>, uri: string, name: string): string {
  const base = `evidence/${slug(uri.replace(/^features\//, '').replace(/\.feature$/, ''))}/${slug(name)}`;
  let directory = base;
  for (let n = 2; taken.has(directory); n++) directory = `${base}-${n}`;
  taken.add(directory);
  return directory;
}

// A file per attachment: its own name when it has one (numbered on a clash), else evidence.txt.
function evidenceOf(attached: readonly Attached[], directory: string): EvidenceFile[] {
  const names = new Set<string>();
  return attached.map(({ mediaType, content, fileName }) => {
    const wanted = fileName ?? (mediaType.startsWith('text/') ? 'evidence.txt' : 'attachment.bin');
    const dot = wanted.lastIndexOf('.');
    let name = wanted;
    for (let n = 2; names.has(name); n++)
      name = dot > 0 ? `${wanted.slice(0, dot)}-${n}${wanted.slice(dot)}` : `${wanted}-${n}`;
    names.add(name);
    return { path: `${directory}/${name}`, content };
  });
}

function outcomeOf(attempt: Attempt): Outcome {
  if (attempt.statuses.some((status) => failingStatuses.has(status))) return 'failed';
  if (attempt.unsupported !== undefined) return 'unsupported';
  if (attempt.statuses.includes('SKIPPED' as TestStepResultStatus)) return 'skipped';
  return attempt.statuses.length > 0 ? 'passed' : 'skipped';
}

function tally(scenarios: readonly ScenarioResult[]): Totals {
  const totals: Totals = { passed: 0, failed: 0, unsupported: 0, skipped: 0 };
  for (const scenario of scenarios) totals[scenario.outcome]++;
  return totals;
}

function summarise(name: string, members: readonly ScenarioResult[]): GroupResult {
  return { name, totals: tally(members), scenarios: members.map(({ name, outcome }) => ({ name, outcome })) };
}

function groupBy(
  scenarios: readonly ScenarioResult[],
  keys: (scenario: ScenarioResult) => string[],
): [string, ScenarioResult[]][] {
  const groups = new Map<string, ScenarioResult[]>();
  for (const scenario of scenarios) {
    for (const key of keys(scenario)) groups.set(key, [...(groups.get(key) ?? []), scenario]);
  }
  return [...groups];
}

const outcomes: readonly Outcome[] = ['passed', 'failed', 'unsupported', 'skipped'];

/** The report as Markdown a person reads: verdict, per-task table, then every scenario by feature. */
export function renderConformanceMarkdown(report: ConformanceReport): string {
  const adapter = report.adapter;
  const lines = [
    `# Conformance of ${adapter ? `${adapter.name} ${adapter.version}` : 'an unknown balancer'}`,
    '',
    `**Verdict: ${report.verdict.toUpperCase()}** (${outcomes.map((o) => `${report.totals[o]} ${o}`).join(', ')})`,
    '',
    `- Run: ${report.startedAt}, ${(report.durationMs / 1000).toFixed(1)} s`,
    `- Backends: ${report.backendProvider} provider`,
    `- Capabilities declared: ${adapter?.capabilities.supported.join(', ') || 'none'}`,
  ];
  if (report.interrupted)
    lines.push(
      `- **Interrupted** by ${report.interrupted.signal}: ${report.interrupted.unfinished} scenarios had not finished, and those not started are not listed.`,
    );
  if (report.totals.passed + report.totals.failed === 0)
    lines.push('- No scenario ran: nothing was checked.');
  lines.push(
    '',
    '## By task',
    '',
    '| task | title | passed | failed | unsupported | skipped |',
    '|---|---|---|---|---|---|',
  );
  for (const task of report.byTask) {
    lines.push(
      `| ${task.tag.slice(1)} | ${task.name} | ${outcomes.map((o) => task.totals[o]).join(' | ')} |`,
    );
  }
  for (const task of report.byTask) {
    lines.push('', `### ${task.tag.slice(1)}: ${task.name}`, '');
    for (const outcome of outcomes) {
      const names = task.scenarios.filter((s) => s.outcome === outcome).map((s) => s.name);
      if (names.length > 0) lines.push(`- ${outcome}: ${names.join('; ')}`);
    }
  }
  lines.push('', '## By feature');
  for (const feature of report.byFeature) {
    lines.push('', `### ${feature.name} (${feature.uri})`, '');
    for (const scenario of report.scenarios.filter((s) => s.uri === feature.uri)) {
      const reason = scenario.reason ? `: ${firstLine(scenario.reason)}` : '';
      const evidence = (scenario.evidence ?? []).map((path) => `[${path.replace(/^.*\//, '')}](${path})`);
      lines.push(
        `- **${scenario.outcome}** ${scenario.id ? `\`${scenario.id}\` ` : ''}${scenario.name} (${scenario.durationMs} ms)${reason}${evidence.length > 0 ? ` (evidence: ${evidence.join(', ')})` : ''}`,
      );
      // The rest of a message that runs over lines, under its scenario, as it was written.
      const more = scenario.reason?.split('\n').slice(1) ?? [];
      if (more.length > 0) lines.push('', '  ```text', ...more.map((line) => `  ${line}`), '  ```');
      for (const suggestion of scenario.likelyMistakes ?? [])
        lines.push('', `  - likely mistake: ${suggestionText(suggestion)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A failure's message as the check wrote it, every line of it (the numbers are often on the second),
 * without the stack trace under it: harness internals and absolute paths say nothing of the balancer.
 */
export function assertionMessage(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .join('\n')
    .trimEnd();
}

function firstLine(text: string): string {
  return firstLineWithin(text, 200);
}
