// `npm run mutation:ci`: the bounded run CI makes at every stop. The selection algorithms, killed by
// their unit tests and the algorithm scenarios (tasks 01, 02, 11, 12, 13); the score may not fall
// below the break threshold. The full run is `npm run mutation` (see docs/mutation.md).
import base from './stryker.config.mjs';

export default {
  ...base,
  mutate: [
    'reference/src/selection/{round-robin,weighted-round-robin,least-connections,power-of-two-choices,random,load}.ts',
  ],
  lbspec: { tags: '@task-01 or @task-02 or @task-11 or @task-12 or @task-13' },
  concurrency: 2,
  // A mutant that hangs the balancer costs its whole timeout: CI pays a shorter one. A hang still
  // counts as detected, only sooner; a slow machine may call a survivor a hang, never the reverse.
  timeoutFactor: 1.5,
  timeoutMS: 30_000,
  thresholds: { high: 95, low: 90, break: 90 },
  reporters: ['json', 'clear-text', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/mutation-ci.json' },
};
