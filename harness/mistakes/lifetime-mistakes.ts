// Mistakes in what a balancer lets go of once a request is done, read from the soak: what the
// process holds once quiet again, against what it held before the load.
import type { Measurements } from './measurements.ts';
import type { Mistake } from './mistake.ts';

/** The soak's own scenario id: it runs outside the features, and its report names mistakes too. */
export const soakScenario = 'soak';

/** Left over per request past this share, a resource was kept for every request (or most). */
const perRequestShare = 0.01;

const grewWithRequests = (measured: Measurements, grew: number) =>
  measured.soak !== undefined && grew >= measured.soak.requests * perRequestShare;

export const lifetimeMistakes: readonly Mistake[] = [
  {
    id: 'timers-never-cleared',
    concept: 'resources',
    title: 'A timer started for each request is never cleared',
    mistake:
      'Each request starts a timer (a timeout, a retry, a log flush) that nothing clears when the request ends.',
    shows: 'Once the load was over, the balancer held timers in proportion to the requests it had served.',
    rootCause:
      'setTimeout/setInterval is armed on the request path, and the code that ends the request (success, error or abort) does not clear it.',
    fix: 'Clear every timer where its request ends, on every path (finally, or the close event); use one timer per connection, or a timer wheel, rather than one per request where you can.',
    scenarios: [soakScenario],
    signature(measured) {
      return grewWithRequests(measured, measured.soak?.grew.timers ?? 0) ? 1 : 0;
    },
  },
];
