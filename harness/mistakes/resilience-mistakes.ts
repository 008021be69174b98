// Mistakes in failing gracefully: outlier ejection (read like the breaker's pauses), retries and
// their backoff (read from the gaps between one request's attempts at the backend), and the answers
// a client gets when backends fail.
import { answerGroups, failingBackend } from './breaker-mistakes.ts';
import type { Measurements } from './measurements.ts';
import type { Mistake } from './mistake.ts';

/** The failing backend's pauses between groups of answers, at half the base ejection time. */
function ejectionPauses(measured: Measurements): { groups: number; pauses: number[] } | undefined {
  const outlier = measured.outlier;
  const id = failingBackend(measured);
  if (!outlier || id === undefined) return undefined;
  const groups = answerGroups(measured, id, outlier.baseEjectionMs / 2);
  return {
    groups: groups.length,
    pauses: groups.slice(1).map((group, i) => group.startMs - (groups[i]?.endMs ?? group.startMs)),
  };
}

/** How many backends answered the last `count` requests. */
function answeringAtTheEnd(measured: Measurements, count: number): number {
  const last = [...measured.exchanges].sort((a, b) => a.sentAtMs - b.sentAtMs).slice(-count);
  return new Set(last.flatMap((exchange) => exchange.backendId ?? [])).size;
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Retry waits with at least five samples. */
const sampledWaits = (measured: Measurements) =>
  (measured.retryWaits ?? []).filter(({ waitsMs }) => waitsMs.length >= 5);

export const resilienceMistakes: readonly Mistake[] = [
  {
    id: 'outliers-never-ejected',
    concept: 'passive health (outlier detection)',
    title: 'Failing backends are never ejected',
    mistake:
      'outlierDetection is configured, but the outcomes of real requests never reach it (or its ejections are never consulted when picking).',
    shows:
      'A backend answered more failures in a row than consecutiveFailures and kept its turns; with every backend failing, all of them kept answering to the end.',
    rootCause:
      'Only active health checks decide availability; the proxy path records no outcome per backend.',
    fix: 'After each attempt, record success or failure on its backend; eject at consecutiveFailures in a row for the current ejection time, and skip ejected backends when picking.',
    scenarios: ['outlier-failures-row-eject-backend', 'outlier-more-configured-share-pool'],
    signature(measured) {
      const outlier = measured.outlier;
      const pauses = ejectionPauses(measured);
      if (!outlier || !pauses) return 0;
      const id = failingBackend(measured);
      const failures = measured.exchanges.filter(
        (exchange) => exchange.backendId === id && (exchange.status ?? 0) >= 500,
      ).length;
      return pauses.groups === 1 && failures >= outlier.consecutiveFailures + 2 ? 1 : 0;
    },
  },
  {
    id: 'ejection-time-not-growing',
    concept: 'passive health (outlier detection)',
    title: 'Repeated ejections do not grow',
    mistake: 'Every ejection lasts baseEjectionMs, however often the backend has been ejected.',
    shows:
      "The failing backend's ejections after the first all last about the base time, where each should be longer (base x the number of ejections, up to the cap).",
    rootCause:
      'The ejection time is a constant instead of growing with a count of ejections kept per backend.',
    fix: 'Count ejections per backend; eject for min(maxEjectionMs, baseEjectionMs x count); lower the count again after a healthy stretch.',
    scenarios: ['outlier-failures-row-eject-backend'],
    signature(measured) {
      const outlier = measured.outlier;
      const pauses = ejectionPauses(measured)?.pauses ?? [];
      if (!outlier || pauses.length < 2 || outlier.maxEjectionMs <= outlier.baseEjectionMs) return 0;
      const grown = Math.min(2 * outlier.baseEjectionMs, outlier.maxEjectionMs);
      // A grown ejection cannot end early; one that stayed the base stays short of it.
      return pauses.slice(1).every((pause) => pause < 0.9 * grown) ? 1 : 0;
    },
  },
  {
    id: 'ejection-time-uncapped',
    concept: 'passive health (outlier detection)',
    title: 'Ejections grow past maxEjectionMs',
    mistake:
      'The ejection time doubles (or grows) without the cap, so a backend that fails a few times is gone for minutes.',
    shows: 'An ejection of the failing backend lasted far longer than maxEjectionMs.',
    rootCause: 'The growth was implemented and the cap forgotten.',
    fix: 'Take the minimum of the grown time and maxEjectionMs.',
    scenarios: ['outlier-failures-row-eject-backend'],
    signature(measured) {
      const outlier = measured.outlier;
      const pauses = ejectionPauses(measured)?.pauses ?? [];
      return outlier && pauses.some((pause) => pause > 1.5 * outlier.maxEjectionMs) ? 1 : 0;
    },
  },
  {
    id: 'ejection-share-unbounded',
    concept: 'passive health (outlier detection)',
    title: 'More of the pool is ejected than maxEjectionPercent allows',
    mistake: 'Every backend that fails is ejected, up to the whole pool.',
    shows:
      'With every backend failing, fewer backends answered at the end than the share the config keeps in the pool.',
    rootCause: 'The ejection decision looks at the one backend, not at how much of the pool is already out.',
    fix: 'Before ejecting, check that ejected backends stay within maxEjectionPercent of the pool (at least one may always be ejected); otherwise keep it in.',
    scenarios: ['outlier-more-configured-share-pool'],
    signature(measured) {
      const outlier = measured.outlier;
      const pool = measured.backends.length;
      if (!outlier || pool < 2) return 0;
      const kept = pool - Math.max(1, Math.floor((pool * outlier.maxEjectionPercent) / 100));
      return answeringAtTheEnd(measured, 20) < kept ? 1 : 0;
    },
  },
  {
    id: 'retries-without-backoff',
    concept: 'retries',
    title: 'Retries go out at once, without backoff',
    mistake:
      'A failed attempt is retried immediately, so every client hammers a struggling backend in lockstep.',
    shows:
      "The gaps between one request's attempts at the backend were, on average, a small fraction of the backoff the policy allows.",
    rootCause: 'baseIntervalMs and maxIntervalMs were read but no wait was put between attempts.',
    fix: 'Before retry n, wait a random time in [0, min(maxIntervalMs, baseIntervalMs x 2^(n-1))] (full jitter), abandoning the wait if the client goes away.',
    scenarios: ['retry-retries-back-off-exponentially'],
    signature(measured) {
      const waits = sampledWaits(measured);
      // Full jitter waits half the cap on average (a mean of n waits spreads by 0.29 / sqrt(n) of
      // the cap): before the retry with the longest cap, a mean under 15% of it is out of its
      // reach, while the time a busy machine takes to send a retry at once stays well under that.
      const longest = waits.at(-1);
      return longest !== undefined && mean(longest.waitsMs) < 0.15 * longest.capMs ? 1 : 0;
    },
  },
  {
    id: 'backoff-without-jitter',
    concept: 'retries',
    title: 'Backoff without jitter: every client waits the same time',
    mistake:
      'Each retry waits the full backoff (the cap) instead of a random share of it, so clients that failed together retry together.',
    shows:
      'The waits before retry n were, on average, close to its cap, where a uniform draw averages half of it.',
    rootCause: 'Exponential backoff was implemented without its random part.',
    fix: 'Wait random() x min(maxIntervalMs, baseIntervalMs x 2^(n-1)): full jitter spreads the retries of clients that failed together.',
    scenarios: ['retry-retries-back-off-exponentially'],
    signature(measured) {
      const waits = sampledWaits(measured);
      // As above: a mean of full-jitter waits stays near half the cap, never at 90% of it.
      return waits.length > 0 && waits.every(({ capMs, waitsMs }) => mean(waitsMs) >= 0.9 * capMs) ? 1 : 0;
    },
  },
  {
    id: 'retries-unbudgeted',
    concept: 'retries',
    title: 'No retry budget: a failing pool gets every request several times',
    mistake:
      'Retries are limited per request only, so when the whole pool fails, each request is sent attempts + 1 times and the load multiplies.',
    shows:
      'With every backend failing, the backends received about attempts + 1 times as many requests as clients sent, far beyond the budget.',
    rootCause: 'No pool-wide account of retries against requests; the budget config was never applied.',
    fix: 'Count requests and retries over a window; allow a retry only while retries stay within percent of the requests (plus minRetries).',
    scenarios: ['retry-budget-keeps-failing-pool'],
    signature(measured) {
      const attempts = measured.retries?.attempts ?? 0;
      const received = Object.values(measured.received ?? {}).reduce((sum, count) => sum + count, 0);
      const sent = measured.exchanges.length;
      return attempts > 0 && sent > 0 && received >= 0.9 * (attempts + 1) * sent ? 1 : 0;
    },
  },
  {
    id: 'retry-policy-ignored',
    concept: 'retries',
    title: 'The retry policy is never applied',
    mistake: 'Every request gets exactly one attempt; the retries config is parsed and forgotten.',
    shows:
      'In a pool that retries, requests failed while other backends answered, and no request reached a second backend (the backends counted no more arrivals than the client sent requests).',
    rootCause: 'The proxy path sends once and answers with whatever came back; nothing loops over attempts.',
    fix: 'Loop over attempts: on a failure the policy retries (connect failure, reset, the listed statuses; idempotent methods unless allowed), back off and try another backend, until attempts run out.',
    scenarios: [
      'retry-request-stopped-backend-retried-http',
      'retry-request-stopped-backend-retried-tcp',
      'retry-backend-cannot-connected-time',
      'retry-clients-idempotent-requests-see',
      'retry-post-retried-after-reset',
    ],
    signature(measured) {
      if ((measured.retries?.attempts ?? 0) === 0) return 0;
      const failed = measured.exchanges.filter((e) => e.error !== undefined || (e.status ?? 0) >= 500);
      const answeredWell = measured.exchanges.some((e) => e.error === undefined && (e.status ?? 0) < 500);
      const received = Object.values(measured.received ?? {}).reduce((sum, count) => sum + count, 0);
      return failed.length > 0 && answeredWell && received <= measured.exchanges.length ? 0.9 : 0;
    },
  },
  {
    id: 'failure-answered-as-success',
    concept: 'failing backends',
    title: 'A backend that failed gets the client a 200',
    mistake:
      'When the backend fails before answering, the balancer answers 200 (often with an empty body), so monitoring sees nothing wrong.',
    shows: 'Some answers were 2xx, yet no backend gave them: they carry no backend identity.',
    rootCause: 'The error path writes a response with the default status instead of a 502 or 504.',
    fix: 'Answer 502 Bad Gateway when the backend refused, reset or answered garbage, and 504 when it did not answer in time.',
    scenarios: ['rr-stopped-backend-never-silent-http'],
    signature(measured) {
      const silent = measured.exchanges.filter(
        (exchange) =>
          (exchange.status ?? 0) >= 200 && (exchange.status ?? 0) < 300 && exchange.backendId === undefined,
      );
      return silent.length > 0 ? 1 : 0;
    },
  },
  {
    id: 'backend-failure-as-500',
    concept: 'failing backends',
    title: "A backend's failure is answered 500, as if the balancer had failed",
    mistake:
      'Every upstream error becomes 500 Internal Server Error instead of 502 (bad answer or connection) or 504 (timeout).',
    shows: 'Clients got 500 answers that no backend gave.',
    rootCause:
      'A catch-all error handler; the gateway statuses exist to tell a broken upstream from a broken proxy.',
    fix: "Answer 502 when the backend refused, reset or answered something that is not HTTP, and 504 when it did not answer in time; keep 500 for the balancer's own faults.",
    scenarios: ['proxy-backend-resets-refuses-connection', 'faulty-post-lost-connection-backend'],
    signature: (measured) =>
      measured.exchanges.some((exchange) => exchange.status === 500 && exchange.backendId === undefined)
        ? 1
        : 0,
  },
  {
    id: 'no-backend-answered-502',
    concept: 'graceful degradation',
    title: 'With no backend available, clients get 502 instead of 503',
    mistake: 'An empty pool is treated as a failed upstream: 502 Bad Gateway, without Retry-After.',
    shows: 'With every backend out of rotation, clients got 502 answers, though no backend was even asked.',
    rootCause: 'The no-backend case falls through to the upstream error path.',
    fix: 'When no backend is available, answer 503 Service Unavailable at once, with Retry-After and a body that says why.',
    scenarios: ['degrade-backend-down-clients-get'],
    signature(measured) {
      // The backends received no more than the requests they answered: the 502s reached none of
      // them, yet clients were told a backend failed.
      const received = Object.values(measured.received ?? {}).reduce((sum, count) => sum + count, 0);
      const answered = measured.exchanges.filter((exchange) => exchange.backendId !== undefined).length;
      const gateway = measured.exchanges.filter(
        (exchange) => exchange.status === 502 && exchange.backendId === undefined,
      );
      return gateway.length > 0 && received <= answered ? 1 : 0;
    },
  },
  {
    id: 'backup-pool-always-in-rotation',
    concept: 'graceful degradation',
    title: "The backup pool's backends take traffic while the primary ones are up",
    mistake: 'The backup backends are merged into the primary rotation instead of standing by.',
    shows: 'Backends of the backup pool received requests while the primary backends were answering too.',
    rootCause:
      'The backup pool was treated as more members of the pool, not as a fallback consulted only when the pool has no available backend.',
    fix: 'Pick from the primary pool; only when none of its backends is available, pick from the backup pool (and go back as soon as one recovers).',
    scenarios: ['degrade-backup-pool-takes-traffic'],
    signature(measured) {
      const backup = new Set(measured.backupBackends ?? []);
      if (backup.size === 0) return 0;
      const reached = new Set(measured.exchanges.flatMap((exchange) => exchange.backendId ?? []));
      const primaryToo = [...reached].some((id) => !backup.has(id));
      return primaryToo && [...reached].some((id) => backup.has(id)) ? 1 : 0;
    },
  },
  {
    id: 'no-panic-mode',
    concept: 'graceful degradation',
    title: 'No panic mode: the last healthy backends take everything',
    mistake:
      'panicThresholdPercent is ignored, so when most of the pool fails its checks, the few backends left take all the traffic and fall over too.',
    shows:
      'With most of the pool out of rotation, the last requests all went to one backend instead of spreading over every backend.',
    rootCause:
      'Health filtering is applied unconditionally; panic mode means ignoring it when too little of the pool is left.',
    fix: 'When the available share of the pool falls below panicThresholdPercent, balance over every backend, healthy or not.',
    scenarios: ['degrade-below-panic-threshold-traffic'],
    signature(measured) {
      if (measured.panicThresholdPercent === undefined || measured.backends.length < 2) return 0;
      return answeringAtTheEnd(measured, 12) === 1 ? 1 : 0;
    },
  },
];
