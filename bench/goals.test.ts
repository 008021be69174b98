import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkGoals, goalsLine } from './goals.ts';
import type { TargetSummary } from './summary.ts';

const summary = (target: string, requestsPerSecond: number, p99: number, cpu?: number): TargetSummary => ({
  target,
  requestsPerSecond,
  megabytesPerSecond: 0,
  latencyMs: { '99': p99 },
  errors: 0,
  cpuMsPer1000Requests: cpu,
  rounds: [requestsPerSecond],
});

test('every goal is stated with its ratio and whether the reference met it', () => {
  const line = goalsLine([
    summary('reference', 8_000, 2.8, 46),
    summary('nginx', 10_000, 2, 29),
    summary('haproxy', 8_500, 1.5, 32),
  ]);
  assert.equal(
    line,
    'req/s vs nginx 0.80x (goal >= 1.00x): missed; req/s vs haproxy 0.94x (goal >= 0.90x): met; p99 vs nginx 1.40x (goal <= 1.00x): missed; CPU per request vs nginx 1.59x (goal <= 1.30x): missed',
  );
});

test('a goal against a product that did not run, or without its figure, is left out', () => {
  const checked = checkGoals([summary('reference', 12_000, 1), summary('nginx', 10_000, 2)]);
  assert.deepEqual(
    checked.map(({ goal, met }) => `${goal.what} ${goal.against} ${met}`),
    ['req/s nginx true', 'p99 nginx true'],
  );
  assert.deepEqual(checkGoals([summary('nginx', 10_000, 2)]), []);
});
