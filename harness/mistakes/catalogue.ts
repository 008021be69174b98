import { breakerMistakes } from './breaker-mistakes.ts';
import { forwardingMistakes } from './forwarding-mistakes.ts';
import { hashingMistakes } from './hashing-mistakes.ts';
import { healthMistakes } from './health-mistakes.ts';
import { intakeMistakes } from './intake-mistakes.ts';
import { lifetimeMistakes } from './lifetime-mistakes.ts';
import { limitMistakes } from './limit-mistakes.ts';
import {
  type Measurements,
  meanDurations,
  nearerEvenThanWeighted,
  periodOf,
  proportions,
  runsOf,
  sharesOf,
  visitOrder,
  wholeTurns,
} from './measurements.ts';
import type { Mistake } from './mistake.ts';
import { pickMistakes } from './pick-mistakes.ts';
import { relayMistakes } from './relay-mistakes.ts';
import { reloadMistakes } from './reload-mistakes.ts';
import { resilienceMistakes } from './resilience-mistakes.ts';
import { routingMistakes, targetMistakes } from './routing-mistakes.ts';
import { stickyMistakes } from './sticky-mistakes.ts';
import { stopMistakes } from './stop-mistakes.ts';
import { timingMistakes } from './timing-mistakes.ts';

const rotationOrderScenarios = [
  'rr-requests-rotate-order-config-http',
  'rr-requests-rotate-order-config-tcp',
  'rr-sequential-requests-spread-exactly-http',
  'rr-sequential-requests-spread-exactly-tcp',
];
const newConnectionScenarios = ['rr-clients-connections-own-share', 'rr-requests-new-connection-share'];
const weightScenarios = [
  'wrr-backend-gets-exactly-weight-http',
  'wrr-backend-gets-exactly-weight-tcp',
  'wrr-heterogeneous-weights-1-100',
  'wrr-backend-weight-0-gets',
];
// Where a slow backend's answers take long enough to tell in the clients' own timings.
const slowBackendScenarios = ['lc-slow-backend-receives-far-http', 'lc-slow-backend-receives-far-tcp'];

const ids = (measured: Measurements) => measured.backends.map(({ id }) => id);

/** 1 when the slowest backend (by mean time) still got its equal share; 0 when it got little. */
function slowBackendKeptItsShare(measured: Measurements): number {
  const durations = meanDurations(measured);
  const shares = proportions(sharesOf(measured));
  const known = durations.filter((d) => !Number.isNaN(d));
  const slowest = durations.indexOf(Math.max(...known));
  const fastest = Math.min(...known);
  if (slowest < 0 || !(fastest > 0) || (durations[slowest] ?? 0) < 3 * fastest) return 0;
  const fair = 1 / measured.backends.length;
  return Math.min(1, Math.max(0, ((shares[slowest] ?? 0) - fair / 4) / (fair - fair / 4)));
}

/**
 * Whether requests taking turns over several connections reach each backend several times in a
 * row, one run per connection, the runs in config order: b1 b1 b1 b2 b2 b2 for three connections.
 */
function rotatesInRuns(measured: Measurements): boolean {
  const order = visitOrder(measured);
  const runs = runsOf(order);
  const listed = ids(measured);
  const whole = runs.slice(0, -1);
  const start = listed.indexOf(runs[0]?.id ?? '');
  return (
    whole.length >= listed.length &&
    (runs[0]?.length ?? 0) >= 2 &&
    whole.every((run, i) => run.length === runs[0]?.length && run.id === listed[(start + i) % listed.length])
  );
}

const selectionMistakes: readonly Mistake[] = [
  {
    id: 'rotation-not-in-config-order',
    concept: 'round robin',
    title: 'The rotation runs in another order than the backends are listed',
    mistake:
      'Every backend gets its turn, but not in the order of the config: reversed, sorted, or in the order a hash map or set happens to iterate.',
    shows:
      'A client sending one request after another sees every backend once per turn, in an order that is not the listed one (nor a rotation of it).',
    rootCause:
      "The backends were kept in a map or set, or the index walks down instead of up, so the order is the container's, not the config's.",
    fix: 'Keep the backends in an array in config order and take backends[next]; next = (next + 1) % backends.length.',
    scenarios: [...rotationOrderScenarios, ...newConnectionScenarios],
    signature(measured) {
      const order = visitOrder(measured);
      const listed = ids(measured);
      if (listed.length < 3 || wholeTurns(order, listed) < 1) return 0;
      const start = listed.indexOf(order[0] as string);
      const inListedOrder = order.every((id, i) => id === listed[(start + i) % listed.length]);
      return inListedOrder ? 0 : 1;
    },
  },
  {
    id: 'rotation-state-per-connection',
    concept: 'round robin',
    title: "The rotation's position is kept per connection, not per pool",
    mistake:
      'Each client connection (or each worker, thread or event-loop task) has a counter of its own, so every new connection starts at the first backend.',
    shows:
      'Clients that each open a connection of their own mostly reach the first listed backend; the others get few or none of the first requests.',
    rootCause:
      "The counter was stored with the connection's or the worker's state, where it is created anew for each client, instead of once for the pool that all connections share.",
    fix: 'Keep one counter per pool, shared by every connection (an atomic or a lock where threads share it), and advance it once per request (HTTP) or per connection (TCP).',
    scenarios: newConnectionScenarios,
    signature(measured) {
      // Either every connection carries one request and nearly all reach the first backend, or
      // each carries several and nearly every one starts its rotation there.
      const first = measured.backends[0]?.id;
      const onFirst = (reached: readonly (string | undefined)[]) =>
        reached.length < 3 ? 0 : reached.filter((id) => id === first).length / reached.length;
      const firstOfEach = new Map<number, string | undefined>();
      for (const exchange of [...measured.exchanges].sort((a, b) => a.seq - b.seq))
        if (!firstOfEach.has(exchange.client)) firstOfEach.set(exchange.client, exchange.backendId);
      if (measured.backends.length < 2) return 0;
      const fit = Math.max(onFirst(visitOrder(measured)), onFirst([...firstOfEach.values()]));
      return fit >= 0.8 ? fit : rotatesInRuns(measured) ? 1 : 0;
    },
  },
  {
    id: 'random-instead-of-rotation',
    concept: 'round robin',
    title: 'Picks at random where round robin must rotate',
    mistake:
      'A random pick (or a hash of something that changes every request) stands in for the rotation: over many requests the shares look even, but no turn is exact.',
    shows:
      'A client sending one request after another sees some backend twice within one turn and another not at all, with no period.',
    rootCause:
      'Random selection is even on average, so it passes a casual look at the totals; round robin promises exactly one request per backend per turn.',
    fix: 'Advance a counter: backends[next++ % n]. Keep random selection for the "random" algorithm.',
    scenarios: rotationOrderScenarios,
    signature(measured) {
      const order = visitOrder(measured);
      const listed = ids(measured);
      if (order.length < 2 * listed.length) return 0;
      if (periodOf(order, listed.length + 1) !== undefined) return 0;
      return 1 - wholeTurns(order, listed);
    },
  },
  {
    id: 'rotation-wraps-wrong',
    concept: 'round robin',
    title: 'The rotation skips or repeats a backend where it wraps around',
    mistake:
      'The index wraps one step too early or too late: (i + 1) % (n - 1), `if (i > n) i = 0`, or a counter reset after the list changed. One backend is skipped each turn, or one is hit twice.',
    shows: 'One request after another repeats with a period of n - 1 or n + 1 instead of n.',
    rootCause: 'An off-by-one in the wrap-around test, or wrapping before incrementing instead of after.',
    fix: 'next = (next + 1) % backends.length, with backends.length read at the time of the pick.',
    scenarios: rotationOrderScenarios,
    signature(measured) {
      const order = visitOrder(measured);
      const n = measured.backends.length;
      const period = periodOf(order, n + 1);
      return period === n - 1 || period === n + 1 ? 1 : 0;
    },
  },
  {
    id: 'weights-ignored',
    concept: 'weighted round robin',
    title: 'Weights are read but not used',
    mistake:
      'Weighted round robin that rotates as plain round robin: every backend, even one of weight 0, gets the same share.',
    shows: 'The shares are nearer an even split than the split the weights ask for.',
    rootCause:
      'The weight was parsed into the config but the selector never reads it, or it is applied to a copy of the list the selector does not use.',
    fix: "Give each backend its weight's share: smooth weighted round robin (each pick, add every backend's weight to its current value, take the largest, subtract the total from it), and never pick weight 0.",
    scenarios: weightScenarios,
    signature(measured) {
      const weights = measured.backends.map(({ weight }) => weight);
      return nearerEvenThanWeighted(sharesOf(measured), weights) ? 1 : 0;
    },
  },
  {
    id: 'weighted-bursts',
    concept: 'weighted round robin',
    title: 'Weights expanded into a list served in order: each share comes in one burst',
    mistake:
      'Each backend is repeated weight times in a list ([a, a, a, a, a, b, c] for 5, 1, 1) and the list is rotated: shares are exact per cycle, but a heavy backend takes all of its share in a row.',
    shows:
      'The heaviest backend answers as many requests in a row as its weight, while an even spread would break its run up.',
    rootCause: 'Naive expansion of weights, which keeps the totals right and loses the spread.',
    fix: "Smooth weighted round robin (as nginx does): each pick adds every backend's weight to its current value, takes the largest, and subtracts the total weight from the one taken.",
    scenarios: weightScenarios,
    signature(measured) {
      const weights = measured.backends.map(({ weight }) => weight);
      const heaviest = Math.max(...weights);
      const rest = weights.reduce((a, b) => a + b, 0) - heaviest;
      const smoothRun = rest === 0 ? Number.POSITIVE_INFINITY : Math.ceil(heaviest / (rest + 1)) + 1;
      const longest = Math.max(0, ...runsOf(visitOrder(measured)).map((run) => run.length));
      return heaviest >= 3 && longest >= heaviest && longest > smoothRun ? 1 : 0;
    },
  },
  {
    id: 'random-index-off-by-one',
    concept: 'random',
    title: 'The random index never reaches the last backend',
    mistake: 'The index is drawn from [0, n - 1) instead of [0, n): floor(random() * (n - 1)).',
    shows: 'The last listed backend gets nothing while the others share every request.',
    rootCause: 'An off-by-one in the range of the draw.',
    fix: 'index = floor(random() * backends.length); random() is in [0, 1), so the index is in [0, n).',
    scenarios: ['random-requests-spread-uniformly-over'],
    signature(measured) {
      const counts = sharesOf(measured);
      const total = counts.reduce((a, b) => a + b, 0);
      return counts.length > 1 && counts[counts.length - 1] === 0 && total >= 10 * counts.length ? 1 : 0;
    },
  },
  {
    id: 'ties-broken-by-list-order',
    concept: 'power of two choices / least connections',
    title: 'Ties between equally loaded backends always go to the one listed first',
    mistake:
      'When the candidates have the same load, the comparison keeps the first in config order (a strict < over an array scan), so the backends listed first get more.',
    shows: 'With equal backends, the shares fall from the first listed to the last.',
    rootCause:
      'Equal loads are the common case under light traffic, and `if (load < best)` over the list keeps the earliest.',
    fix: 'Break ties at random, or in turns, or in favour of the first drawn (power of two choices), never by list position.',
    scenarios: ['p2c-equally-loaded-backends-share', 'p2c-backend-busy-idle-two'],
    signature(measured) {
      const shares = proportions(sharesOf(measured)).filter((share) => share > 0);
      if (shares.length < 2) return 0;
      const falling = shares.every((share, i) => i === 0 || share <= (shares[i - 1] ?? 0));
      const fair = 1 / shares.length;
      return falling && (shares[0] ?? 0) > fair * 1.1 ? 1 : 0;
    },
  },
  {
    id: 'load-never-released',
    concept: 'least connections',
    title: 'In-flight counts go up and never come down',
    mistake:
      'The count of a backend is increased when a request or connection starts and never decreased when it ends, so least connections degrades into "fewest requests ever", a rotation that ignores which backend is busy now.',
    shows: 'A backend that is slow right now still gets about an equal share.',
    rootCause:
      'The decrement is missing, or hangs on an event that never fires (a close handler on the wrong socket).',
    fix: 'Decrease the count exactly once when the exchange ends, whichever way it ends: answered, failed, reset, timed out or abandoned by the client (a finally block, or a guard so it runs once).',
    scenarios: slowBackendScenarios,
    signature: slowBackendKeptItsShare,
  },
  {
    id: 'load-released-only-on-success',
    concept: 'least connections',
    title: 'Counts are released when a request succeeds, not when it fails or is abandoned',
    mistake:
      'The decrement sits in the success path: a request that fails, is reset by the backend or abandoned by the client stays counted, and the backend it leaked on looks busy forever.',
    shows:
      'A backend that failed or lost requests earlier gets none of the later ones, even while the others hold requests.',
    rootCause:
      'The in-flight count is released in the response handler instead of where the exchange ends in every case.',
    fix: "Release in one place that every ending passes through (finally, or the socket's close), exactly once.",
    scenarios: ['lc-in-flight-counts-return-zero'],
    signature(measured) {
      // The scenario ends its mixed load of failing, reset and abandoned requests on the first
      // backend alone, then holds requests on two: a leak keeps every later request off the first
      // backend, so they pile onto those holding requests.
      const leakedOn = measured.backends[0]?.id;
      const reached = new Set(measured.exchanges.flatMap((e) => e.backendId ?? []));
      if (measured.exchanges.length < 3 || reached.size < 2) return 0;
      return reached.has(leakedOn ?? '') ? 0 : 0.9;
    },
  },
  {
    id: 'load-not-compared',
    concept: 'power of two choices',
    title: 'Two backends drawn, but their loads never compared',
    mistake:
      'Power of two choices that draws two candidates and takes the first drawn whatever their loads: plain random.',
    shows: 'A backend that is slow right now still gets about an equal share.',
    rootCause: 'The load comparison was left out or compares the wrong field (weights, ids, a stale copy).',
    fix: 'Draw two distinct backends and take the one with fewer requests in flight relative to its weight.',
    scenarios: ['p2c-slow-backend-receives-well'],
    signature: slowBackendKeptItsShare,
  },
  {
    id: 'retry-to-the-failed-backend',
    concept: 'retries',
    title: 'A retry goes back to the backend that just failed',
    mistake:
      'The retry picks a backend the same way the first attempt did, or reuses the chosen one, so a request that failed on a stopped or failing backend fails there again while others are fine.',
    shows: 'In a pool that retries, requests fail although other backends answer the rest without trouble.',
    rootCause:
      'The retry loop does not remember which backends this request has tried, or picks by a key (hash, sticky cookie, a rotation that did not advance) that leads to the same one.',
    fix: 'Keep the set of backends a request has tried and pick among the others; retry the same one only when no other is available.',
    scenarios: [
      'retry-request-stopped-backend-retried-http',
      'retry-request-stopped-backend-retried-tcp',
      'retry-backend-cannot-connected-time',
      'retry-post-could-connect-retried',
      'retry-post-retried-after-reset',
      'retry-goes-backend-has-failed',
    ],
    signature(measured) {
      if ((measured.retries?.attempts ?? 0) === 0) return 0;
      const failed = measured.exchanges.filter((e) => e.error !== undefined || (e.status ?? 0) >= 500);
      const answeredWell = new Set(
        measured.exchanges
          .filter((e) => e.error === undefined && (e.status ?? 0) < 500)
          .flatMap((e) => e.backendId ?? []),
      );
      return failed.length > 0 && answeredWell.size > 0 ? 0.8 : 0;
    },
  },
  {
    id: 'non-idempotent-retried',
    concept: 'retries',
    title: 'A POST that reached a backend is sent again',
    mistake:
      'Every failed request is retried, whatever its method: a POST whose connection was reset after it was sent may already have been acted on, and the retry applies it twice.',
    shows:
      'The backends counted more arrivals than the client sent requests, in a pool that does not allow retrying non-idempotent ones.',
    rootCause:
      'The retry policy looks at the failure only, not at the method and whether the request had been sent.',
    fix: 'Retry POST, PATCH and the like only when nothing was sent (the connection could not be made), unless the config allows it; GET, HEAD, PUT, DELETE and OPTIONS may be retried.',
    scenarios: ['retry-post-reached-backend-retried'],
    signature(measured) {
      if (measured.received === undefined || measured.retries?.nonIdempotent !== false) return 0;
      const arrived = Object.values(measured.received).reduce((a, b) => a + b, 0);
      return arrived > measured.exchanges.length ? 1 : 0;
    },
  },
  {
    id: 'split-weights-ignored',
    concept: 'layer 7 routing',
    title: "A route's split shares requests evenly, whatever the weights",
    mistake:
      'A canary or traffic split picks one of its pools at random or in turn with equal chances, ignoring the weights (90/10 becomes 50/50, and a pool of weight 0 still gets requests).',
    shows: "The pools' shares of the route's requests are nearer an even split than the weights.",
    rootCause:
      'The split was implemented as a list of pools to choose from, dropping the weights, or weights are compared to a random number without summing them.',
    fix: 'Draw r uniformly in [0, total weight) and take the first pool whose running sum of weights exceeds r; a pool of weight 0 is never taken.',
    scenarios: ['action-canary-split-sends-pool'],
    signature(measured) {
      const split = measured.split;
      if (split === undefined) return 0;
      const byBackend = new Map(split.flatMap(({ backends }, i) => backends.map((id) => [id, i] as const)));
      const counts = split.map(() => 0);
      for (const { backendId } of measured.exchanges) {
        const member = backendId === undefined ? undefined : byBackend.get(backendId);
        if (member !== undefined) counts[member] = (counts[member] ?? 0) + 1;
      }
      const weights = split.map(({ weight }) => weight);
      return nearerEvenThanWeighted(counts, weights) ? 1 : 0;
    },
  },
];

/** Every mistake of the catalogue, by concept. */
export const mistakes: readonly Mistake[] = [
  ...selectionMistakes,
  ...pickMistakes,
  ...hashingMistakes,
  ...healthMistakes,
  ...breakerMistakes,
  ...limitMistakes,
  ...stickyMistakes,
  ...resilienceMistakes,
  ...routingMistakes,
  ...targetMistakes,
  ...timingMistakes,
  ...forwardingMistakes,
  ...intakeMistakes,
  ...relayMistakes,
  ...reloadMistakes,
  ...lifetimeMistakes,
  ...stopMistakes,
];
