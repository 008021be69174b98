// The health-check mistakes of the catalogue, read from the health checks each backend answered
// (when, and with what status) against whether the clients' requests reached it in between.
import type { HealthAnswer } from '../backends/provider.ts';
import type { Measurements } from './measurements.ts';
import type { Mistake } from './mistake.ts';

// A check's answer reaches the balancer within this much of being sent, on a busy machine too:
// requests sent later than that see the state it led to.
const answerSettlesMs = 20;

/** What a backend's health checks led to, as the requests between them show. */
export interface HealthTurns {
  /** After how many failed checks in a row it left the rotation, each time it did. */
  readonly wentOutAfter: readonly number[];
  /** After how many passed checks in a row it came back, each time it did. */
  readonly cameBackAfter: readonly number[];
  /**
   * The fewest passed checks in a row it may have come back after, each time it did: fewer than
   * cameBackAfter when the request that showed it back was sent before the check that counted
   * (a busy machine may route a request long after it was sent, or long before it is answered).
   */
  readonly cameBackSoonestAfter: readonly number[];
  /**
   * The unhealthy threshold, when the backend was still reached after that many failed checks in a
   * row (before the passes that could bring it back); else 0.
   */
  readonly stayedInAfterFailures: number;
  /**
   * The healthy threshold, when the backend got nothing after that many passed checks in a row
   * (before the failures that could take it out again) while the others got requests; else 0.
   */
  readonly stayedOutAfterPasses: number;
  /** Whether it answered requests sent before its first passed check was answered. */
  readonly servedBeforeFirstPass: boolean;
}

type WindowState = 'in' | 'out' | 'unknown';
type Policy = NonNullable<Measurements['healthPolicy']>;

/**
 * For each backend with answered checks: between one check's answer and the next, the backend was
 * in rotation when it answered a request sent then, and out when a turn's worth of requests and one
 * more went to the others alone; with fewer, nothing is concluded.
 */
export function healthTurns(measured: Measurements): Map<string, HealthTurns> {
  const policy = measured.healthPolicy;
  const turns = new Map<string, HealthTurns>();
  if (!policy) return turns;
  const passes = (status: number) => policy.expectedStatuses.includes(status);
  const sent = [...measured.exchanges].sort((a, b) => a.sentAtMs - b.sentAtMs);
  // Out of rotation: a turn's worth of requests and one more went to the others alone. Under round
  // robin (the health scenarios' algorithm) a backend in rotation is in every turn; a busy machine
  // sends few requests between two checks, so no more than that is asked for.
  const enough = Math.max(1, measured.backends.length) + 1;
  // Reached by a request routed before `toMs`: it arrived, or its answer came, before then, so the
  // balancer chose the backend before it could know of an answer sent at `toMs`. (A request sent a little before
  // an answer may still be routed after it on a busy machine: its sending time alone says nothing.)
  // Where the backend logged its arrivals, they say so exactly: on its own clock, as its answers.
  const reached = (id: string, fromMs: number, toMs: number, after: 'sent' | 'answered') =>
    sent.some(
      (exchange) =>
        exchange.backendId === id &&
        (after === 'sent' ? exchange.sentAtMs : exchange.sentAtMs + exchange.durationMs) >= fromMs &&
        exchange.sentAtMs + exchange.durationMs < toMs,
    ) ||
    (after === 'answered' &&
      (measured.healthArrivals?.[id] ?? []).some((atMs) => atMs >= fromMs && atMs < toMs));
  const answeredElsewhere = (id: string, fromMs: number, toMs: number) =>
    sent.filter(
      (exchange) =>
        exchange.backendId !== undefined &&
        exchange.backendId !== id &&
        exchange.sentAtMs >= fromMs &&
        exchange.sentAtMs < toMs,
    ).length;
  /**
   * The state after an answer at `atMs` until the next at `nextMs`. Evidence against the state
   * before (`last`) counts only once the answer can have reached the balancer; evidence for a
   * return counts from the answer on (nothing else could have brought the backend back), and
   * only for requests answered before the next check was, which may bring it back in its turn.
   */
  const stateAfter = (id: string, atMs: number, nextMs: number, last: WindowState): WindowState => {
    const back =
      last === 'out'
        ? reached(id, atMs, nextMs, 'answered')
        : reached(id, atMs + answerSettlesMs, nextMs, 'sent');
    if (back) return 'in';
    return answeredElsewhere(id, atMs + answerSettlesMs, nextMs) >= enough ? 'out' : 'unknown';
  };
  for (const [id, answers] of Object.entries(measured.healthAnswers ?? {})) {
    const wentOutAfter: number[] = [];
    const cameBackAfter: number[] = [];
    const cameBackSoonestAfter: number[] = [];
    let stayedInAfterFailures = 0;
    let stayedOutAfterPasses = 0;
    let failedInRow = 0;
    let passedInRow = 0;
    const windows: { readonly atMs: number; readonly state: WindowState }[] = [];
    // The state before the first answer logged: from the requests of the interval before it, else
    // as the scenario last saw the rotation.
    const first = answers[0]?.atMs;
    const before =
      first === undefined ? 'unknown' : stateAfter(id, first - policy.intervalMs, first, 'unknown');
    const seen = measured.inRotation;
    let last: WindowState = before !== 'unknown' || !seen ? before : seen.includes(id) ? 'in' : 'out';
    answers.forEach((answer, k) => {
      if (passes(answer.status)) {
        passedInRow++;
        failedInRow = 0;
      } else {
        failedInRow++;
        passedInRow = 0;
      }
      const next = answers[k + 1]?.atMs ?? Number.POSITIVE_INFINITY;
      const state = stateAfter(id, answer.atMs, next, last);
      windows.push({ atMs: answer.atMs, state });
      if (state === 'unknown') return;
      if (state === 'out' && last === 'in' && failedInRow > 0) wentOutAfter.push(failedInRow);
      if (state === 'in' && last === 'out' && passedInRow > 0) {
        cameBackAfter.push(passedInRow);
        const firstSent = Math.min(
          ...sent
            .filter(
              (exchange) =>
                exchange.backendId === id &&
                exchange.sentAtMs + exchange.durationMs >= answer.atMs &&
                exchange.sentAtMs < next,
            )
            .map((exchange) => exchange.sentAtMs),
        );
        const passedBySend = answers
          .slice(0, k + 1)
          .filter((earlier) => earlier.atMs <= firstSent)
          .reduce((inRow, earlier) => (passes(earlier.status) ? inRow + 1 : 0), 0);
        cameBackSoonestAfter.push(Math.max(1, Math.min(passedInRow, passedBySend)));
      }
      last = state;
    });
    for (const stretch of dueStretches(answers, policy, passes)) {
      const from = stretch.fromMs + answerSettlesMs;
      const kept = reached(id, from, stretch.toMs, 'sent');
      // Left at some point of the stretch (and came back early, maybe): that is no staying in.
      const leftInIt = windows.some(
        (window) => window.state === 'out' && window.atMs >= stretch.fromMs && window.atMs < stretch.toMs,
      );
      if (stretch.due === 'out' && kept && !leftInIt) stayedInAfterFailures = policy.unhealthyThreshold;
      if (stretch.due === 'in' && !kept && answeredElsewhere(id, from, stretch.toMs) >= enough)
        stayedOutAfterPasses = policy.healthyThreshold;
    }
    const firstPass = answers.find((answer) => passes(answer.status))?.atMs ?? Number.POSITIVE_INFINITY;
    const servedBeforeFirstPass = sent.some(
      (exchange) => exchange.backendId === id && exchange.sentAtMs + answerSettlesMs < firstPass,
    );
    turns.set(id, {
      wentOutAfter,
      cameBackAfter,
      cameBackSoonestAfter,
      stayedInAfterFailures,
      stayedOutAfterPasses,
      servedBeforeFirstPass,
    });
  }
  return turns;
}

/**
 * The stretches in which the policy had decided a backend's state: out from the answer that
 * completes unhealthyThreshold failures in a row until the one that completes healthyThreshold
 * passes, and in the other way round. A stretch spans several checks, so even the few requests a
 * busy machine sends in it show whether the balancer kept to it.
 */
function dueStretches(
  answers: readonly HealthAnswer[],
  policy: Policy,
  passes: (status: number) => boolean,
): { readonly due: 'in' | 'out'; readonly fromMs: number; readonly toMs: number }[] {
  const stretches: { due: 'in' | 'out'; fromMs: number; toMs: number }[] = [];
  let open: { due: 'in' | 'out'; fromMs: number } | undefined;
  let failedInRow = 0;
  let passedInRow = 0;
  const turn = (due: 'in' | 'out', atMs: number) => {
    if (open?.due === due) return;
    if (open) stretches.push({ ...open, toMs: atMs });
    open = { due, fromMs: atMs };
  };
  for (const { atMs, status } of answers) {
    [failedInRow, passedInRow] = passes(status) ? [0, passedInRow + 1] : [failedInRow + 1, 0];
    if (failedInRow === policy.unhealthyThreshold) turn('out', atMs);
    if (passedInRow === policy.healthyThreshold) turn('in', atMs);
  }
  if (open) stretches.push({ ...open, toMs: Number.POSITIVE_INFINITY });
  return stretches;
}

const thresholdScenarios = [
  'health-failed-checks-fewer-unhealthy',
  'health-exactly-unhealthy-threshold-failed',
  'health-passed-checks-fewer-healthy',
  'health-exactly-healthy-threshold-passed',
  'health-backend-fails-checks-taken',
];

/** 1 when some backend's turns fit, given the pool's health policy; 0 without one, or when none fit. */
function fitsSomeBackend(
  measured: Measurements,
  fits: (turns: HealthTurns, policy: Policy) => boolean,
): number {
  const policy = measured.healthPolicy;
  if (!policy) return 0;
  return [...healthTurns(measured).values()].some((turns) => fits(turns, policy)) ? 1 : 0;
}

export const healthMistakes: readonly Mistake[] = [
  {
    id: 'health-one-check-decides',
    concept: 'health checks',
    title: 'One check decides: the rise and fall thresholds are ignored',
    mistake:
      "A backend's state follows its latest check: one failure takes it out, one pass puts it back, whatever unhealthyThreshold and healthyThreshold say.",
    shows:
      'A backend leaves the rotation right after a single failed check while the unhealthy threshold is higher, or comes back after a single pass while the healthy threshold is higher: it flaps with every blip.',
    rootCause:
      'The check result was written straight into the backend\'s state instead of into counters of consecutive failures and passes, so "N in a row" was never counted.',
    fix: 'Keep two counters per backend: consecutive failures (reset by a pass) and consecutive passes (reset by a failure); mark it down when failures reach unhealthyThreshold, up when passes reach healthyThreshold.',
    scenarios: thresholdScenarios,
    signature: (measured) =>
      fitsSomeBackend(
        measured,
        (turns, policy) =>
          (policy.unhealthyThreshold > 1 && turns.wentOutAfter.includes(1)) ||
          (policy.healthyThreshold > 1 && turns.cameBackSoonestAfter.includes(1)),
      ),
  },
  {
    id: 'health-threshold-off-by-one',
    concept: 'health checks',
    title: 'A threshold counted one off: a backend changes state a check early or late',
    mistake:
      'The consecutive count is compared with > instead of >=, started at 1 instead of 0, or incremented after the comparison, so a threshold of N acts at N - 1 or N + 1.',
    shows:
      'A backend leaves after one failed check more or fewer than the unhealthy threshold (or stays in after exactly that many), or comes back after one pass more or fewer than the healthy threshold (or stays out after exactly that many).',
    rootCause:
      "Counting and comparing in the wrong order; the thresholds' own tests used values where one more or less went unnoticed.",
    fix: 'Increment the counter for this result first, then compare: failures >= unhealthyThreshold marks down, passes >= healthyThreshold marks up; test with a threshold of 3 and exactly 2, 3 and 4 results in a row.',
    scenarios: thresholdScenarios,
    signature(measured) {
      const offByOne = (counts: readonly number[], threshold: number) =>
        counts.some((count) => Math.abs(count - threshold) === 1);
      return fitsSomeBackend(
        measured,
        (turns, { unhealthyThreshold: fall, healthyThreshold: rise }) =>
          offByOne(turns.wentOutAfter, fall) ||
          offByOne(turns.cameBackAfter, rise) ||
          turns.stayedInAfterFailures === fall ||
          turns.stayedOutAfterPasses === rise,
      );
    },
  },
  {
    id: 'health-initial-state-ignored',
    concept: 'health checks',
    title: 'Backends start healthy whatever initialState says',
    mistake:
      'Every backend is put in rotation as soon as the pool is built, before any check has passed, though the config says to start unhealthy.',
    shows: 'A backend answers requests sent before its first passed health check was answered.',
    rootCause: 'The state was initialised to a constant "up" and initialState was never read.',
    fix: 'Start each backend in the state initialState names; with "unhealthy", it joins only after healthyThreshold passed checks.',
    scenarios: ['health-backend-starts-unhealthy-gets'],
    signature: (measured) =>
      fitsSomeBackend(measured, (turns, policy) => !policy.initiallyHealthy && turns.servedBeforeFirstPass),
  },
  {
    id: 'health-checks-never-run',
    concept: 'health checks',
    title: 'Health checks are configured but never sent',
    mistake: 'The checker is never started (or started for another pool, or only after the first reload).',
    shows:
      'Over several check intervals of traffic, a running backend of a pool with health checks answered no check at all.',
    rootCause:
      'The config was parsed into the pool, but nothing schedules the probes: no timer per backend was ever created.',
    fix: 'When a pool is built (at start and at every reload), start one timer per backend that probes it every intervalMs, and stop them with the pool.',
    scenarios: [
      'health-backend-fails-checks-taken',
      'health-failed-checks-fewer-unhealthy',
      'health-check-gets-answer-fails',
      'health-killed-backend-taken-out-http',
    ],
    signature(measured) {
      const policy = measured.healthPolicy;
      const answers = Object.values(measured.healthAnswers ?? {});
      if (!policy || answers.length === 0) return 0;
      const observedMs = measured.healthObservedMs ?? 0;
      return observedMs > 3 * policy.intervalMs && answers.some((list) => list.length === 0) ? 1 : 0;
    },
  },
  {
    id: 'health-check-timeout-from-interval',
    concept: 'health checks',
    title: 'A health check is given its interval to answer, not its timeout',
    mistake:
      'The probe waits as long as the check interval (the time until the next one) instead of timeoutMs.',
    shows:
      'The balancer gave up on checks after about one interval, well before their timeout; or it waited for answers past their timeout (but within the interval) and took them.',
    rootCause:
      'One timer serves as both the schedule and the deadline: the next check starting is what ends the last one.',
    fix: 'Give each probe a deadline of its own (timeoutMs from when it was sent) and count a probe past it as failed, whatever the interval.',
    scenarios: ['health-check-answered-after-interval', 'health-check-answered-after-timeout'],
    signature(measured) {
      const policy = measured.healthPolicy;
      if (!policy || policy.timeoutMs === policy.intervalMs) return 0;
      const slackMs = probeSlackMs(policy.timeoutMs);
      const gaveUpAtInterval = unanswered(measured).some(
        (check) =>
          check.gaveUp &&
          check.waitedMs < policy.timeoutMs - slackMs &&
          Math.abs(check.waitedMs - policy.intervalMs) <= slackMs,
      );
      const tookLate = waitsForAnswers(measured).some(
        (waitedMs) => waitedMs > policy.timeoutMs + slackMs && waitedMs <= policy.intervalMs + slackMs,
      );
      return gaveUpAtInterval || tookLate ? 1 : 0;
    },
  },
  {
    id: 'health-check-without-timeout',
    concept: 'health checks',
    title: 'A health check waits for its answer for ever',
    mistake:
      'The probe has no deadline: a backend that accepts the check and never answers is never marked down.',
    shows:
      'The balancer never gave up on a check: it was still waiting far past the timeout, or took answers that came after it.',
    rootCause: 'The probe awaits the response with no timer (or the timeout is set on the connect only).',
    fix: 'Abort a probe that has not answered within timeoutMs and count it as a failed check.',
    scenarios: ['health-check-gets-answer-fails', 'health-check-answered-after-timeout'],
    signature(measured) {
      const policy = measured.healthPolicy;
      if (!policy) return 0;
      const slackMs = probeSlackMs(policy.timeoutMs);
      const checks = unanswered(measured);
      if (checks.some((check) => check.gaveUp)) return 0;
      const stillWaiting = checks.some((check) => check.waitedMs > policy.timeoutMs + slackMs);
      const tookLate = waitsForAnswers(measured).some((waitedMs) => waitedMs > policy.timeoutMs + slackMs);
      return stillWaiting || tookLate ? 1 : 0;
    },
  },
  {
    id: 'health-shared-across-pools',
    concept: 'health checks',
    title: 'Health is kept per backend address, shared by every pool',
    mistake:
      "One health state per address: a backend one pool's check fails is out of every pool that has it.",
    shows:
      "A backend failing the first pool's HTTP checks was never reached through a second listener whose pool checks it another way (which it passes).",
    rootCause:
      'The health table is keyed by address, and the first pool to check an address decides for all (or its checks are applied to every pool).',
    fix: 'Keep health per pool member: each pool runs its own checks, as configured, and decides for its own rotation only.',
    scenarios: ['health-kept-per-pool'],
    signature(measured) {
      const other = measured.otherListener;
      if (!other || other.checkType === 'http') return 0;
      const expected = measured.healthPolicy?.expectedStatuses ?? [200];
      // Out of the first pool: it failed that pool's checks, or the scenario last saw it out of that
      // pool's rotation (the checks' log may be short: it starts again when counts are reset).
      const outOfFirstPool = (id: string) =>
        (measured.healthAnswers?.[id] ?? []).some((answer) => !expected.includes(answer.status)) ||
        (measured.inRotation !== undefined && !measured.inRotation.includes(id));
      return other.expected.some((id) => (other.reached[id] ?? 0) === 0 && outOfFirstPool(id)) ? 1 : 0;
    },
  },
];

/** Slack for a probe's deadline on a busy machine: a timer may fire late, never early. */
function probeSlackMs(timeoutMs: number): number {
  return Math.max(50, timeoutMs / 4);
}

function unanswered(measured: Measurements) {
  return Object.values(measured.healthUnanswered ?? {}).flat();
}

/** How long the balancer waited for each answer it took. */
function waitsForAnswers(measured: Measurements): number[] {
  return Object.values(measured.healthAnswers ?? {})
    .flat()
    .map((answer) => answer.atMs - answer.askedAtMs);
}
