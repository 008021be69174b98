// More mistakes in picking a backend: read from where the pool's requests went, and from where the
// requests a scenario held open landed.
import { type Measurements, nearerEvenThanWeighted, sharesOf } from './measurements.ts';
import type { Mistake } from './mistake.ts';

const rotationScenarios = [
  'rr-sequential-requests-spread-exactly-http',
  'rr-sequential-requests-spread-exactly-tcp',
  'rr-requests-rotate-order-config-http',
  'rr-requests-rotate-order-config-tcp',
  'rr-clients-connections-own-share',
  'rr-requests-new-connection-share',
  'rr-concurrent-clients-still-spread-http',
  'rr-concurrent-clients-still-spread-tcp',
];

/** Requests each backend of the pool holds, in config order, when the scenario held some. */
function heldCounts(measured: Measurements): number[] | undefined {
  const held = measured.held;
  if (!held || held.length === 0) return undefined;
  return measured.backends.map(({ id }) => held.filter((heldOn) => heldOn === id).length);
}

/** Answers (backend known) that went to a backend holding a held request. */
function answeredByHolders(measured: Measurements): number {
  const holders = new Set(measured.held ?? []);
  return measured.exchanges.filter(
    (exchange) => exchange.backendId !== undefined && holders.has(exchange.backendId),
  ).length;
}

export const pickMistakes: readonly Mistake[] = [
  {
    id: 'everything-to-first-backend',
    concept: 'round robin',
    title: 'Every request goes to the first backend',
    mistake:
      'The pick always returns the first available backend: the index is never advanced, or is reset before each pick.',
    shows: 'All requests reach the first listed backend; the others get none.',
    rootCause:
      'The position of the rotation is a local variable (or is written back to a copy), so every pick starts from zero.',
    fix: 'Keep the next index in the pool, shared by all requests, and advance it on every pick.',
    scenarios: rotationScenarios,
    signature(measured) {
      const shares = sharesOf(measured);
      const total = shares.reduce((sum, count) => sum + count, 0);
      if (shares.length < 2 || total < 2 * shares.length) return 0;
      return shares[0] === total ? 1 : 0;
    },
  },
  {
    id: 'never-the-same-backend-twice',
    concept: 'round robin',
    title: 'The backend picked last time is never picked again',
    mistake:
      'To "spread the load", the pick skips whichever backend took the previous request, even when it is the only one.',
    shows: 'With one backend in the pool, every other request fails.',
    rootCause:
      'An exclusion meant for retries (do not retry on the backend that just failed) was applied to every pick.',
    fix: 'Skip a backend only when retrying a request that failed on it, and even then fall back to it when it is the only one left.',
    scenarios: ['rr-pool-backend-gets-request-http', 'rr-pool-backend-gets-request-tcp'],
    signature(measured) {
      if (measured.backends.length !== 1) return 0;
      const answered = measured.exchanges.map((exchange) => exchange.backendId !== undefined);
      const failed = answered.filter((ok) => !ok).length;
      if (answered.length < 4 || failed === 0) return 0;
      const alternating = answered.every((ok, i) => i === 0 || ok !== answered[i - 1]);
      return alternating ? 1 : failed >= answered.length / 3 ? 0.5 : 0;
    },
  },
  {
    id: 'p2c-same-backend-drawn-twice',
    concept: 'power of two choices',
    title: 'Both draws of power of two choices may pick the same backend',
    mistake:
      'The two candidates are drawn independently, so now and then both are the same backend, and it "wins" against itself however loaded.',
    shows: 'The most loaded backend (holding a request) still received some of the new requests.',
    rootCause: 'Two calls of random(n) instead of drawing the second from the other n - 1 backends.',
    fix: 'Draw i = random(n), then j = random(n - 1), and use j + 1 when j >= i: two distinct backends, every pair equally likely.',
    scenarios: [
      'p2c-most-loaded-backend-gets-http',
      'p2c-most-loaded-backend-gets-tcp',
      'p2c-backend-busy-idle-two',
    ],
    signature: (measured) => (measured.held !== undefined && answeredByHolders(measured) > 0 ? 1 : 0),
  },
  {
    id: 'p2c-pair-drawn-unevenly',
    concept: 'power of two choices',
    title: 'The pairs of power of two choices are not drawn uniformly',
    mistake:
      "The second draw has an off-by-one in its range (or maps the first draw's index onto a fixed backend), so some pairs come far more often than others.",
    shows:
      'With one backend busy, the two idle backends, which should get half of the requests each, got very different shares.',
    rootCause: 'Skipping the first candidate by shifting the second draw was done over the wrong range.',
    fix: 'Draw j from [0, n - 1) and shift it past i; check with a histogram of pairs over many draws that each comes about equally often.',
    scenarios: ['p2c-backend-busy-idle-two'],
    signature(measured) {
      if (measured.held === undefined || answeredByHolders(measured) > 0) return 0;
      const holders = new Set(measured.held);
      const idle = measured.backends.map(({ id }) => id).filter((id) => !holders.has(id));
      const counts = idle.map(
        (id) => measured.exchanges.filter((exchange) => exchange.backendId === id).length,
      );
      const total = counts.reduce((sum, count) => sum + count, 0);
      // Half each is what uniform pairs give; 60% is many standard deviations off for the hundreds sent.
      return idle.length >= 2 && total >= 100 && Math.max(...counts) / total >= 0.6 ? 1 : 0;
    },
  },
  {
    id: 'load-compared-without-weights',
    concept: 'least connections',
    title: 'In-flight counts are compared without the weights',
    mistake:
      'Least connections (or the pair of power of two choices) compares bare counts, as if every backend had weight 1.',
    shows:
      'Requests held open end up spread about evenly over backends of unequal weights, not in proportion to the weights.',
    rootCause:
      'The comparison of load left out the division by weight: a backend three times the capacity is judged busy at the same count.',
    fix: 'Compare active / weight (without dividing: a.active x b.weight against b.active x a.weight).',
    scenarios: [
      'lc-held-requests-fill-backends-http',
      'lc-held-requests-fill-backends-tcp',
      'p2c-held-requests-fill-two-http',
      'p2c-held-requests-fill-two-tcp',
    ],
    signature(measured) {
      const counts = heldCounts(measured);
      if (!counts) return 0;
      return nearerEvenThanWeighted(
        counts,
        measured.backends.map(({ weight }) => weight),
      )
        ? 1
        : 0;
    },
  },
];
