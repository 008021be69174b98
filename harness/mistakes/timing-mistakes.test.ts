import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeasuredExchange, Measurements } from './measurements.ts';
import { measuredOver, poolOf, suggested } from './signature-testing.ts';

const exchange = (durationMs: number, status?: number, error?: string): MeasuredExchange => ({
  client: 0,
  seq: 0,
  sentAtMs: 0,
  durationMs,
  ...(status === undefined ? {} : { status }),
  ...(error === undefined ? {} : { error }),
});
const measured = (
  scenario: string,
  exchanges: readonly MeasuredExchange[],
  extra: Partial<Measurements> = {},
) =>
  measuredOver(poolOf('b1'))(scenario, exchanges, {
    timeouts: { connectMs: 300, responseMs: 300 },
    ...extra,
  });
const top = suggested;

test('a failure that waited far past the timeout points to the timeout ignored; one within it to nothing', () => {
  assert.deepEqual(
    top(measured('timeout-backend-never-answers-gets', [exchange(10_000, undefined, 'timeout')])),
    ['response-timeout-ignored'],
  );
  assert.deepEqual(top(measured('timeout-backend-never-answers-gets', [exchange(320, 504)])), []);
  assert.deepEqual(top(measured('timeout-backend-cannot-connected-gets', [exchange(5_000, 504)])), [
    'connect-timeout-ignored',
  ]);
});

test('a backend accepting a connection per request points to no keep-alive upstream', () => {
  const perRequest = { received: { b1: 50 }, accepted: { b1: 50 } };
  assert.deepEqual(top(measured('proxy-client-requests-share-connection', [], perRequest)), [
    'no-upstream-keep-alive',
  ]);
  assert.deepEqual(
    top(
      measured('proxy-client-requests-share-connection', [], { received: { b1: 50 }, accepted: { b1: 2 } }),
    ),
    [],
  );
});

test('a GET answered 502 by no backend, and more arrivals than requests after a keep-alive race', () => {
  assert.deepEqual(top(measured('faulty-get-lost-connection-backend', [exchange(2, 502)])), [
    'lost-request-not-resent',
  ]);
  const posts = Array.from({ length: 10 }, () => exchange(2, 200));
  assert.deepEqual(top(measured('faulty-post-lost-connection-backend', posts, { received: { b1: 15 } })), [
    'lost-non-idempotent-resent',
  ]);
  assert.deepEqual(top(measured('faulty-post-lost-connection-backend', posts, { received: { b1: 10 } })), []);
});

test('a balancer that exited unasked after an invalid config points to exiting on a bad config', () => {
  assert.deepEqual(
    top(measured('admin-invalid-new-config-refused', [], { balancerExit: 'exited with code 1' })),
    ['exits-on-a-bad-config'],
  );
  assert.deepEqual(top(measured('admin-invalid-new-config-refused', [])), []);
});
