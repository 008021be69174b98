import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeasuredExchange } from './measurements.ts';
import { measuredOver, poolOf, suggested } from './signature-testing.ts';

const answered = (order: readonly (string | undefined)[], durationMs = 1): MeasuredExchange[] =>
  order.map((backendId, seq) => ({
    client: 0,
    seq,
    sentAtMs: seq,
    durationMs,
    backendId,
    status: backendId ? 200 : 502,
  }));
const measured = measuredOver(poolOf('b1', 'b2', 'b3'));
const top = suggested;

test('every request on the first backend, and a pool of one refusing every other request', () => {
  const firstOnly = answered(Array.from({ length: 9 }, () => 'b1'));
  assert.ok(
    top(measured('rr-sequential-requests-spread-exactly-http', firstOnly)).includes(
      'everything-to-first-backend',
    ),
  );
  const alternating = answered(['b1', undefined, 'b1', undefined, 'b1', undefined]);
  assert.deepEqual(
    top(measured('rr-pool-backend-gets-request-http', alternating, { backends: poolOf('b1') })),
    ['never-the-same-backend-twice'],
  );
  assert.deepEqual(
    top(
      measured('rr-pool-backend-gets-request-http', answered(['b1', 'b1', 'b1', 'b1']), {
        backends: poolOf('b1'),
      }),
    ),
    [],
  );
});

test('power of two choices: the held backend still reached, or the idle two split unevenly', () => {
  const held = { held: ['b1'] };
  const reachedHolder = answered(
    Array.from({ length: 300 }, (_, i) => (i % 9 === 0 ? 'b1' : i % 2 ? 'b2' : 'b3')),
  );
  assert.deepEqual(top(measured('p2c-backend-busy-idle-two', reachedHolder, held)), [
    'p2c-same-backend-drawn-twice',
  ]);
  const skewed = answered(Array.from({ length: 300 }, (_, i) => (i % 4 === 0 ? 'b3' : 'b2')));
  // Shares falling in list order fit ties broken by it as well.
  assert.ok(top(measured('p2c-backend-busy-idle-two', skewed, held)).includes('p2c-pair-drawn-unevenly'));
  const even = answered(Array.from({ length: 300 }, (_, i) => (i % 2 ? 'b2' : 'b3')));
  assert.deepEqual(top(measured('p2c-backend-busy-idle-two', even, held)), []);
});

test('held requests spread evenly over unequal weights point to loads compared without weights', () => {
  const weighted = [
    { id: 'b1', weight: 3 },
    { id: 'b2', weight: 1 },
  ];
  const even = { backends: weighted, held: ['b1', 'b2', 'b1', 'b2', 'b1', 'b2', 'b1', 'b2'] };
  assert.deepEqual(top(measured('lc-held-requests-fill-backends-http', [], even)), [
    'load-compared-without-weights',
  ]);
  const proportional = { backends: weighted, held: ['b1', 'b1', 'b1', 'b2', 'b1', 'b1', 'b1', 'b2'] };
  assert.deepEqual(top(measured('lc-held-requests-fill-backends-http', [], proportional)), []);
});

test('more requests than the cap waiting on a hanging backend point to the cap ignored', () => {
  const breaker = {
    consecutiveFailures: 1000,
    openMs: 5000,
    maxOpenMs: 60000,
    halfOpenRequests: 1,
    minimumRequests: 20,
  };
  const waitedAll = answered(['b1', 'b1', 'b1', 'b1', 'b1', 'b1'], 1000).map((exchange) => ({
    ...exchange,
    status: 504,
  }));
  const capped = { breaker: { ...breaker, maxConcurrentRequests: 2 }, backends: poolOf('b1') };
  assert.deepEqual(top(measured('breaker-hanging-backend-gets-more', waitedAll, capped)), [
    'concurrency-cap-ignored',
  ]);
  const turnedAway = waitedAll.map((exchange, i) =>
    i < 2 ? exchange : { ...exchange, status: 503, durationMs: 3 },
  );
  assert.deepEqual(top(measured('breaker-hanging-backend-gets-more', turnedAway, capped)), []);
});
