import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerGroups, failingBackend } from './breaker-mistakes.ts';
import type { MeasuredExchange, Measurements } from './measurements.ts';
import { measuredOver, poolOf, suggested } from './signature-testing.ts';

const breaker = {
  consecutiveFailures: 3,
  openMs: 300,
  maxOpenMs: 600,
  halfOpenRequests: 1,
  minimumRequests: 20,
};

/**
 * One client alternating b1 and b2 every 10 ms, b1 answering 500, but for the pauses `b1Runs`
 * describes: [requests in a row, pause after them in ms] (b2 keeps answering through the pauses).
 */
function runs(
  b1Runs: readonly (readonly [number, number])[],
  tailMs = 0,
  b1Status = 500,
): MeasuredExchange[] {
  const exchanges: MeasuredExchange[] = [];
  let atMs = 0;
  let seq = 0;
  const send = (backendId: string, status: number) => {
    exchanges.push({ client: 0, seq: seq++, sentAtMs: atMs, durationMs: 1, backendId, status });
    atMs += 5;
  };
  for (const [count, pauseMs] of b1Runs) {
    for (let i = 0; i < count; i++) {
      send('b1', b1Status);
      send('b2', 200);
    }
    for (const end = atMs + pauseMs; atMs < end; ) send('b2', 200);
  }
  for (const end = atMs + tailMs; atMs < end; ) send('b2', 200);
  return exchanges;
}

const measured = (
  scenario: string,
  exchanges: readonly MeasuredExchange[],
  extra: Partial<Measurements> = {},
) => measuredOver(poolOf('b1', 'b2'))(scenario, exchanges, { breaker, ...extra });
const top = suggested;
const scenario = 'breaker-failures-row-open-failed';

test("a failing backend's answers split into groups at the breaker's pauses", () => {
  const exchanges = runs([
    [3, 300],
    [1, 600],
    [1, 0],
  ]);
  assert.equal(failingBackend(measured(scenario, exchanges)), 'b1');
  assert.deepEqual(
    answerGroups(measured(scenario, exchanges), 'b1', 150).map(({ count, failed }) => [count, failed]),
    [
      [3, 3],
      [1, 1],
      [1, 1],
    ],
  );
});

test('a breaker that opens, trials once and doubles its open time fits no breaker mistake', () => {
  const correct = runs([
    [3, 300],
    [1, 600],
    [1, 600],
    [1, 0],
  ]);
  assert.deepEqual(top(measured(scenario, correct)), []);
});

test('no pause, a flood of trials, a failed trial that closes, no trial at all, a pause that never grows', () => {
  assert.deepEqual(top(measured(scenario, runs([[8, 0]]))), ['breaker-never-opens']);
  const flood = runs([
    [2, 300],
    [6, 300],
  ]);
  assert.deepEqual(
    top(
      measured('breaker-half-open-lets-exactly-trial', flood, {
        breaker: { ...breaker, consecutiveFailures: 2 },
      }),
    ),
    ['breaker-half-open-floods'],
  );
  const closes = runs([
    [3, 300],
    [4, 300],
    [4, 0],
  ]);
  assert.deepEqual(top(measured(scenario, closes)), [
    'breaker-closes-on-failed-trial',
    'breaker-open-time-not-growing',
  ]);
  assert.deepEqual(top(measured(scenario, runs([[3, 0]], 2_000))), ['breaker-never-half-opens']);
  const flat = runs([
    [3, 300],
    [1, 300],
    [1, 300],
    [1, 0],
  ]);
  assert.deepEqual(top(measured(scenario, flat)), ['breaker-open-time-not-growing']);
});

test('4xx counted, the failure rate ignored, and only final outcomes counted', () => {
  const notFound = [
    ...runs([[2, 0]], 0, 404),
    ...runs([], 80).map((exchange) => ({ ...exchange, sentAtMs: exchange.sentAtMs + 100 })),
  ];
  assert.deepEqual(top(measured('breaker-answers-4xx-do-open', notFound)), ['breaker-counts-client-errors']);
  const alternating = runs([[30, 0]]).map((exchange, i) =>
    exchange.backendId === 'b1' && i % 4 === 2 ? { ...exchange, status: 200 } : exchange,
  );
  const rate = { ...breaker, consecutiveFailures: 100, failureRatePercent: 40, minimumRequests: 10 };
  assert.deepEqual(top(measured('breaker-failure-rate-over-window', alternating, { breaker: rate })), [
    'breaker-ignores-failure-rate',
  ]);
  const hidden = runs([], 150);
  const retried = { retries: { attempts: 1, nonIdempotent: false }, received: { b1: 15, b2: 30 } };
  assert.deepEqual(top(measured('breaker-failed-attempts-retry-hides', hidden, retried)), [
    'breaker-counts-final-outcome-only',
  ]);
  assert.deepEqual(
    top(measured('breaker-failed-attempts-retry-hides', hidden, { ...retried, received: { b1: 3, b2: 30 } })),
    [],
  );
});
