import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeasuredExchange } from './measurements.ts';
import { measuredOver, poolOf, suggested } from './signature-testing.ts';

const outlier = { consecutiveFailures: 3, baseEjectionMs: 300, maxEjectionMs: 600, maxEjectionPercent: 50 };

/** b1 failing in runs of 3 separated by `pauses` (b2 and b3 answering every 5 ms meanwhile). */
function ejections(pauses: readonly number[]): MeasuredExchange[] {
  const exchanges: MeasuredExchange[] = [];
  let atMs = 0;
  const send = (backendId: string, status: number) => {
    exchanges.push({ client: 0, seq: exchanges.length, sentAtMs: atMs, durationMs: 1, backendId, status });
    atMs += 5;
  };
  for (const pause of [...pauses, 0]) {
    for (let i = 0; i < 3; i++) {
      send('b1', 500);
      send('b2', 200);
      send('b3', 200);
    }
    for (const end = atMs + pause; atMs < end; ) send(atMs % 10 ? 'b2' : 'b3', 200);
  }
  return exchanges;
}

const measured = measuredOver(poolOf('b1', 'b2', 'b3'));
const top = suggested;
const scenario = 'outlier-failures-row-eject-backend';

test('ejections: growing and capped fit nothing; none, flat or uncapped fit their mistakes', () => {
  assert.deepEqual(top(measured(scenario, ejections([300, 600, 600]), { outlier })), []);
  const never = Array.from({ length: 30 }, (_, i) => ({
    client: 0,
    seq: i,
    sentAtMs: 5 * i,
    durationMs: 1,
    backendId: `b${(i % 3) + 1}`,
    status: i % 3 ? 200 : 500,
  }));
  assert.deepEqual(top(measured(scenario, never, { outlier })), ['outliers-never-ejected']);
  assert.deepEqual(top(measured(scenario, ejections([300, 300, 300]), { outlier })), [
    'ejection-time-not-growing',
  ]);
  assert.deepEqual(top(measured(scenario, ejections([300, 600, 1200]), { outlier })), [
    'ejection-time-uncapped',
  ]);
});

test('with every backend failing, fewer answering at the end than the share kept points to an unbounded share', () => {
  const lastOnOne = Array.from({ length: 40 }, (_, i) => ({
    client: 0,
    seq: i,
    sentAtMs: i,
    durationMs: 1,
    backendId: i < 20 ? `b${(i % 4) + 1}` : 'b4',
    status: 500,
  }));
  const four = { outlier: { ...outlier, baseEjectionMs: 60_000 }, backends: poolOf('b1', 'b2', 'b3', 'b4') };
  assert.ok(
    top(measured('outlier-more-configured-share-pool', lastOnOne, four)).includes('ejection-share-unbounded'),
  );
});

test('retry waits: none, the whole cap, or full jitter; a storm past the budget; a policy never applied', () => {
  const caps = [100, 200, 400];
  const waits = (share: (i: number) => number) =>
    caps.map((capMs, k) => ({
      retry: k + 1,
      capMs,
      waitsMs: Array.from({ length: 48 }, (_, i) => share(i) * capMs),
    }));
  const backoff = 'retry-retries-back-off-exponentially';
  assert.deepEqual(top(measured(backoff, [], { retryWaits: waits((i) => ((i * 37) % 48) / 48) })), []);
  assert.deepEqual(top(measured(backoff, [], { retryWaits: waits(() => 0.02) })), [
    'retries-without-backoff',
  ]);
  assert.deepEqual(top(measured(backoff, [], { retryWaits: waits(() => 1.01) })), ['backoff-without-jitter']);
  const failing = Array.from({ length: 200 }, (_, i) => ({
    client: i % 4,
    seq: i,
    sentAtMs: i,
    durationMs: 1,
    backendId: 'b1',
    status: 503,
  }));
  const storm = { retries: { attempts: 3, nonIdempotent: false }, received: { b1: 400, b2: 400 } };
  assert.deepEqual(top(measured('retry-budget-keeps-failing-pool', failing, storm)), ['retries-unbudgeted']);
  const mixed = [
    { client: 0, seq: 0, sentAtMs: 0, durationMs: 1, error: 'ECONNREFUSED' },
    { client: 0, seq: 1, sentAtMs: 1, durationMs: 1, backendId: 'b2', status: 200 },
  ];
  const onceEach = { retries: { attempts: 2, nonIdempotent: false }, received: { b2: 1 } };
  assert.deepEqual(top(measured('retry-backend-cannot-connected-time', mixed, onceEach)), [
    'retry-policy-ignored',
    'retry-to-the-failed-backend',
  ]);
});

test('answers no backend gave: a 200, a 500, and a 502 when none was available', () => {
  const silent = [{ client: 0, seq: 0, sentAtMs: 0, durationMs: 1, status: 200 }];
  assert.deepEqual(top(measured('rr-stopped-backend-never-silent-http', silent)), [
    'failure-answered-as-success',
  ]);
  const generic = [{ client: 0, seq: 0, sentAtMs: 0, durationMs: 1, status: 500 }];
  assert.deepEqual(top(measured('proxy-backend-resets-refuses-connection', generic)), [
    'backend-failure-as-500',
  ]);
  const gateway = [
    { client: 0, seq: 0, sentAtMs: 0, durationMs: 1, status: 200, backendId: 'b1' },
    { client: 0, seq: 1, sentAtMs: 1, durationMs: 1, status: 502 },
  ];
  assert.deepEqual(
    top(measured('degrade-backend-down-clients-get', gateway, { received: { b1: 1, b2: 0 } })),
    ['no-backend-answered-502'],
  );
  assert.deepEqual(
    top(measured('degrade-backend-down-clients-get', gateway, { received: { b1: 2, b2: 0 } })),
    [],
  );
});

test('backup backends answering beside the primary ones, and everything on one backend below the panic threshold', () => {
  const mixed = ['b1', 'b2', 'b3', 'b1'].map((backendId, i) => ({
    client: 0,
    seq: i,
    sentAtMs: i,
    durationMs: 1,
    backendId,
    status: 200,
  }));
  assert.deepEqual(top(measured('degrade-backup-pool-takes-traffic', mixed, { backupBackends: ['b3'] })), [
    'backup-pool-always-in-rotation',
  ]);
  assert.deepEqual(
    top(measured('degrade-backup-pool-takes-traffic', mixed.slice(0, 2), { backupBackends: ['b3'] })),
    [],
  );
  const last = Array.from({ length: 12 }, (_, i) => ({
    client: 0,
    seq: i,
    sentAtMs: i,
    durationMs: 1,
    backendId: 'b3',
    status: 200,
  }));
  assert.deepEqual(
    top(measured('degrade-below-panic-threshold-traffic', last, { panicThresholdPercent: 50 })),
    ['no-panic-mode'],
  );
});
