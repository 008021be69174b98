import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  countsByBackend,
  keysMoved,
  loadOverTime,
  peakInFlight,
  percentile,
  type TimedExchange,
} from './measures.ts';

const exchange = (backend: string | undefined, startMs: number, endMs: number, ok = true): TimedExchange => ({
  backend,
  startMs,
  endMs,
  ok,
});

test('percentiles are nearest-rank over the values in any order', () => {
  const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  assert.equal(percentile(values, 0.5), 5);
  assert.equal(percentile(values, 0.99), 10);
  assert.equal(percentile(values, 0.1), 1);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

test('the peak in flight counts overlaps per backend; one ending as another starts does not overlap', () => {
  const peaks = peakInFlight([
    exchange('a', 0, 10),
    exchange('a', 5, 15),
    exchange('a', 6, 7),
    exchange('a', 15, 20),
    exchange('b', 0, 1),
    exchange(undefined, 0, 100),
  ]);
  assert.deepEqual(peaks, { a: 3, b: 1 });
});

test('load over time counts each backend per bucket by when requests were sent, zeros included', () => {
  const rows = loadOverTime(
    [exchange('a', 100, 120), exchange('a', 150, 160), exchange('b', 320, 330), exchange(undefined, 10, 20)],
    ['a', 'b', 'c'],
    100,
    100,
  );
  assert.deepEqual(rows, { a: [2, 0, 0], b: [0, 0, 1], c: [0, 0, 0] });
  assert.deepEqual(countsByBackend([exchange('a', 0, 1), exchange('a', 0, 1), exchange(undefined, 0, 1)]), {
    a: 2,
  });
});

test('keys moved is the share of keys seen both times whose backend changed', () => {
  const before = new Map([
    ['k1', 'a'],
    ['k2', 'b'],
    ['k3', 'c'],
    ['k4', 'a'],
  ]);
  const after = new Map([
    ['k1', 'a'],
    ['k2', 'c'],
    ['k3', 'c'],
  ]);
  assert.equal(keysMoved(before, after), 1 / 3);
  assert.ok(Number.isNaN(keysMoved(new Map(), after)));
});
