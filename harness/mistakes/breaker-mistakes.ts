// The circuit-breaker mistakes of the catalogue, read from when a failing backend answered: its
// answers fall into groups separated by the pauses an open breaker makes.
import type { MeasuredExchange, Measurements } from './measurements.ts';
import type { Mistake } from './mistake.ts';

/** Answers of one backend with no pause of half the open time between them. */
export interface AnswerGroup {
  readonly count: number;
  readonly failed: number;
  readonly startMs: number;
  readonly endMs: number;
}

/** The backend that answered 5xx most often, if any did. */
export function failingBackend(measured: Measurements): string | undefined {
  const failures = new Map<string, number>();
  for (const { backendId, status } of measured.exchanges)
    if (backendId !== undefined && (status ?? 0) >= 500)
      failures.set(backendId, (failures.get(backendId) ?? 0) + 1);
  return [...failures].sort((a, b) => b[1] - a[1])[0]?.[0];
}

// A pause is one in which the other backends answered at least this many requests: a machine that
// stalls stops every client at once, and that is no pause of the breaker's.
const othersInAPause = 5;

/**
 * The answers of `id`, by when they were sent, split wherever a pause falls: `gapMs` or more
 * without it, while the other backends kept answering.
 */
export function answerGroups(measured: Measurements, id: string, gapMs: number): AnswerGroup[] {
  const sent = [...measured.exchanges].sort((a, b) => a.sentAtMs - b.sentAtMs);
  const answers = sent.filter((exchange) => exchange.backendId === id);
  const othersBetween = (fromMs: number, toMs: number) =>
    sent.filter(
      (exchange) =>
        exchange.backendId !== undefined &&
        exchange.backendId !== id &&
        exchange.sentAtMs > fromMs &&
        exchange.sentAtMs < toMs,
    ).length;
  const groups: AnswerGroup[] = [];
  let current: MeasuredExchange[] = [];
  const close = () => {
    if (current.length === 0) return;
    groups.push({
      count: current.length,
      failed: current.filter((exchange) => (exchange.status ?? 0) >= 500).length,
      startMs: (current[0] as MeasuredExchange).sentAtMs,
      endMs: (current.at(-1) as MeasuredExchange).sentAtMs,
    });
    current = [];
  };
  for (const answer of answers) {
    const last = current.at(-1);
    if (
      last &&
      answer.sentAtMs - last.sentAtMs >= gapMs &&
      othersBetween(last.sentAtMs, answer.sentAtMs) >= othersInAPause
    )
      close();
    current.push(answer);
  }
  close();
  return groups;
}

/** The failing backend's groups, split at half the breaker's open time. */
function failingGroups(measured: Measurements): AnswerGroup[] {
  const id = failingBackend(measured);
  const breaker = measured.breaker;
  return id === undefined || !breaker ? [] : answerGroups(measured, id, breaker.openMs / 2);
}

const lastSentMs = (measured: Measurements) =>
  Math.max(...measured.exchanges.map((exchange) => exchange.sentAtMs));

export const breakerMistakes: readonly Mistake[] = [
  {
    id: 'breaker-never-opens',
    concept: 'circuit breaker',
    title: 'The breaker never opens',
    mistake:
      'The breaker is configured but no failure is ever counted against it (or its state is never consulted when picking).',
    shows:
      'A backend answers more failures in a row than consecutiveFailures, with no pause: requests keep reaching it.',
    rootCause:
      'Outcomes are not fed back to the breaker after each attempt, or the pick does not skip backends whose breaker is open.',
    fix: "Record every attempt's outcome (5xx, reset, timeout as failures) on its backend's breaker, open it at consecutiveFailures in a row, and leave open backends out of the pick until openMs has passed.",
    scenarios: [
      'breaker-failures-row-open-failed',
      'breaker-open-clients-get-503',
      'breaker-half-open-lets-exactly-trial',
    ],
    signature(measured) {
      const breaker = measured.breaker;
      if (!breaker) return 0;
      const groups = failingGroups(measured);
      return groups.length === 1 && (groups[0]?.failed ?? 0) >= breaker.consecutiveFailures + 2 ? 1 : 0;
    },
  },
  {
    id: 'breaker-half-open-floods',
    concept: 'circuit breaker',
    title: 'A half-open breaker lets everything through',
    mistake:
      'When the open time ends the breaker goes half-open and lets every request reach the backend, not just its trial requests.',
    shows:
      'After the breaker first opened, the backend takes more than halfOpenRequests requests at once after each pause.',
    rootCause:
      'Half-open was treated as closed-until-proven-otherwise: nothing counts the trials in flight, so every request that arrives during the trial passes.',
    fix: 'In half-open, admit only halfOpenRequests at a time (count them in flight); every other request skips the backend until a trial passes (close) or fails (open again, for longer).',
    scenarios: ['breaker-half-open-lets-exactly-trial'],
    signature(measured) {
      const breaker = measured.breaker;
      if (!breaker) return 0;
      return failingGroups(measured)
        .slice(1)
        .some((group) => group.count > breaker.halfOpenRequests)
        ? 1
        : 0;
    },
  },
  {
    id: 'breaker-closes-on-failed-trial',
    concept: 'circuit breaker',
    title: 'A failed trial closes the breaker',
    mistake:
      "The trial's outcome is not checked: any trial that completes closes the breaker, failed or not.",
    shows:
      'After a pause, the failing backend takes its trial and then more requests, all failing, until the breaker opens again.',
    rootCause: 'The half-open state moves to closed when the trial ends instead of when it succeeds.',
    fix: 'Close only on a successful trial; a failed trial opens the breaker again, for longer (doubling up to maxOpenMs).',
    scenarios: ['breaker-failures-row-open-failed'],
    signature(measured) {
      const breaker = measured.breaker;
      if (!breaker) return 0;
      return failingGroups(measured)
        .slice(1)
        .some((group) => group.count > breaker.halfOpenRequests && group.failed === group.count)
        ? 1
        : 0;
    },
  },
  {
    id: 'breaker-never-half-opens',
    concept: 'circuit breaker',
    title: 'An open breaker never lets a trial through',
    mistake:
      'The open time never ends (its deadline is never checked, or is reset by every request that skips the backend).',
    shows:
      'After the breaker opened, the backend got nothing more, though the traffic went on for well over the open time.',
    rootCause:
      'The transition from open to half-open is driven by nothing: no timer, and no check of the deadline at pick time.',
    fix: 'At each pick, move an open breaker whose openUntil has passed to half-open and let its trial through.',
    scenarios: [
      'breaker-failures-row-open-failed',
      'breaker-successful-trial-closes-backend',
      'breaker-half-open-lets-exactly-trial',
    ],
    signature(measured) {
      const breaker = measured.breaker;
      const groups = failingGroups(measured);
      const only = groups[0];
      if (!breaker || groups.length !== 1 || !only || only.failed < breaker.consecutiveFailures) return 0;
      return lastSentMs(measured) - only.endMs > 2 * breaker.openMs + 500 ? 1 : 0;
    },
  },
  {
    id: 'breaker-open-time-not-growing',
    concept: 'circuit breaker',
    title: 'The open time does not grow after a failed trial',
    mistake: 'Every opening lasts openMs, however often the trials fail.',
    shows:
      "The pauses between the failing backend's trials all last about openMs, where each failed trial should double it up to maxOpenMs.",
    rootCause:
      'The open duration is a constant instead of state that doubles on each reopening and resets on close.',
    fix: 'Keep the current open time per breaker: double it (up to maxOpenMs) each time a trial fails, and reset it to openMs when a trial passes.',
    scenarios: ['breaker-failures-row-open-failed'],
    signature(measured) {
      const breaker = measured.breaker;
      if (!breaker || breaker.maxOpenMs <= breaker.openMs) return 0;
      const groups = failingGroups(measured);
      const pauses = groups.slice(1).map((group, i) => group.startMs - (groups[i] as AnswerGroup).endMs);
      const grown = Math.min(2 * breaker.openMs, breaker.maxOpenMs);
      // A grown pause cannot end early (its timer fires no sooner); one that stayed the first
      // length stays short of it even when the machine stalls for a while.
      return pauses.length >= 2 && pauses.slice(1).every((pause) => pause < 0.9 * grown) ? 1 : 0;
    },
  },
  {
    id: 'breaker-counts-client-errors',
    concept: 'circuit breaker',
    title: "Client errors (4xx) count against the backend's breaker",
    mistake:
      'Every status of 400 and above is a failure for the breaker, so a backend that rightly answers 404 is taken out.',
    shows: 'A backend whose answers were all 4xx got fewer requests than the others: its breaker opened.',
    rootCause:
      "The failure test was status >= 400; a 4xx is the client's mistake, not a sign the backend is unwell.",
    fix: 'Count as failures only what failureOn names: connection failures, resets, timeouts and 5xx (or the listed statuses).',
    scenarios: ['breaker-answers-4xx-do-open'],
    signature(measured) {
      const byBackend = new Map<string, (number | undefined)[]>();
      for (const { backendId, status } of measured.exchanges)
        if (backendId !== undefined) byBackend.set(backendId, [...(byBackend.get(backendId) ?? []), status]);
      const clientErrors = [...byBackend].find(([, statuses]) =>
        statuses.every((status) => (status ?? 0) >= 400 && (status ?? 0) < 500),
      );
      if (!clientErrors || byBackend.size < 2) return 0;
      const others = [...byBackend]
        .filter(([id]) => id !== clientErrors[0])
        .map(([, statuses]) => statuses.length);
      const mean = others.reduce((sum, count) => sum + count, 0) / others.length;
      return clientErrors[1].length < mean - 1 ? 1 : 0;
    },
  },
  {
    id: 'breaker-ignores-failure-rate',
    concept: 'circuit breaker',
    title: 'Only failures in a row open the breaker; the failure rate is never checked',
    mistake:
      'failureRatePercent is read but no window of outcomes is kept, so a backend failing every other request never trips it.',
    shows:
      'A backend whose failures never come in a row but exceed the configured rate over the window kept its traffic.',
    rootCause:
      'Only a consecutive-failures counter was implemented; the rate needs a window of recent outcomes.',
    fix: 'Keep the outcomes of the last windowMs (or a ring of counts per bucket); once it holds minimumRequests, open when failures / total reaches failureRatePercent.',
    scenarios: ['breaker-failure-rate-over-window'],
    signature(measured) {
      const breaker = measured.breaker;
      if (breaker?.failureRatePercent === undefined) return 0;
      const groups = failingGroups(measured);
      const group = groups[0];
      if (groups.length !== 1 || !group) return 0;
      const rate = (100 * group.failed) / group.count;
      return group.count >= breaker.minimumRequests + 2 && rate >= breaker.failureRatePercent ? 1 : 0;
    },
  },
  {
    id: 'breaker-counts-final-outcome-only',
    concept: 'circuit breaker',
    title: "Only a request's final outcome reaches the breaker, not each attempt's",
    mistake:
      'Outcomes are recorded once per client request, after retries, so an attempt that failed and was retried elsewhere is never counted.',
    shows:
      'With retries hiding every failure, a failing backend kept receiving requests: more than consecutiveFailures and never a pause.',
    rootCause:
      'The breaker was fed from the response sent to the client instead of from each upstream attempt.',
    fix: "Record every attempt's outcome on the backend it went to, before deciding to retry.",
    scenarios: ['breaker-failed-attempts-retry-hides'],
    signature(measured) {
      const breaker = measured.breaker;
      if (!breaker || (measured.retries?.attempts ?? 0) === 0) return 0;
      const seen = new Set(measured.exchanges.map((exchange) => exchange.backendId));
      return Object.entries(measured.received ?? {}).some(
        ([id, count]) => !seen.has(id) && count >= 2 * breaker.consecutiveFailures,
      )
        ? 1
        : 0;
    },
  },
  {
    id: 'concurrency-cap-ignored',
    concept: 'circuit breaker',
    title: 'The cap on requests in flight to a backend is not enforced',
    mistake:
      'maxConcurrentRequests is read but nothing counts what is in flight, so a hanging backend collects every request.',
    shows:
      'More requests than the cap waited on a backend that never answered, where all beyond the cap should have been answered 503 at once.',
    rootCause:
      'Admission was checked against the breaker state only, not against a count of requests in flight to the backend.',
    fix: 'Count requests in flight per backend (in at the pick, out when the answer ends or fails); at the cap, skip the backend, and answer 503 when none is left.',
    scenarios: ['breaker-hanging-backend-gets-more'],
    signature(measured) {
      const cap = measured.breaker?.maxConcurrentRequests;
      if (cap === undefined) return 0;
      // Turned away at once: a 503 well within the response timeout a waiting request ran into.
      const waited = measured.exchanges.filter(
        (exchange) => !(exchange.status === 503 && exchange.durationMs < 500),
      );
      return waited.length > cap ? 1 : 0;
    },
  },
];
