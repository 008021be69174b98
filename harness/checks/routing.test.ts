import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Exchange } from '../clients/traffic.ts';
import { expectNotSooner, expectSettledWithin, settledAt } from './routing.ts';

const exchange = (backendId: string | undefined, sentAtMs = 0, status = 200): Exchange => ({
  client: 0,
  seq: 0,
  sentAtMs,
  durationMs: 1,
  status,
  ...(backendId === undefined ? {} : { backendId }),
});

const goal = { kind: 'backends', ids: new Set(['b2', 'b3']) } as const;

test('traffic settles once a whole window meets the goal and reaches every target backend', () => {
  const sequence = ['b1', 'b2', 'b3', 'b2', 'b3', 'b2', 'b3'].map((id) => exchange(id));
  assert.equal(settledAt(sequence, goal, 6), 1);
  assert.equal(settledAt(sequence.slice(0, 6), goal, 6), undefined);
  const oneSided = ['b2', 'b2', 'b2', 'b2', 'b2', 'b2'].map((id) => exchange(id));
  assert.equal(settledAt(oneSided, goal, 6), undefined, 'b3 must be reached too');
  const failing = [...sequence.slice(1, 6), exchange('b2', 0, 500)];
  assert.equal(settledAt(failing, goal, 6), undefined, 'every request must succeed');
  const refusals = Array.from({ length: 6 }, () => exchange(undefined, 0, 503));
  assert.equal(settledAt(refusals, { kind: 'status', status: 503 }, 6), 0);
});

test('settling is timed from the acknowledged change; newcomers are timed from just before it', () => {
  const mark = { beforeMs: 1_000, afterMs: 1_010, what: 'b1 failed' };
  expectSettledWithin(exchange('b2', 1_500), mark, 490, 'test');
  assert.throws(() => expectSettledWithin(exchange('b2', 1_600), mark, 490, 'test'), /took 590 ms/);
  expectNotSooner([exchange('b1', 1_200)], new Set(['b1']), mark, 200, 'test');
  assert.throws(
    () => expectNotSooner([exchange('b1', 1_100)], new Set(['b1']), mark, 200, 'test'),
    /b1 answered one 101 ms after it/,
  );
});
