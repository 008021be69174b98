import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CellResult } from './drive.ts';
import { type CellSummary, findings, summarise } from './findings.ts';

const cell = (
  algorithm: string,
  latenciesMs: number[],
  counts: Record<string, number>,
  extra: Partial<CellResult> = {},
): CellResult => ({
  workload: 'w',
  algorithm,
  latenciesMs,
  errors: 0,
  counts,
  peaks: { b1: 3, b2: 5 },
  load: { bucketMs: 10, rows: {} },
  ...extra,
});

test('a summary reads percentiles, the busiest backend over the least busy, and the peak in flight', () => {
  const latencies = Array.from({ length: 1000 }, (_, i) => i + 1);
  const summary = summarise(
    cell('rr', latencies, { b1: 300, b2: 600 }),
    { label: 'round robin', short: 'rr' },
    ['b1', 'b2'],
  );
  assert.equal(summary.p50, 500);
  assert.equal(summary.p99, 990);
  assert.equal(summary.p999, 999);
  assert.equal(summary.imbalance, 2);
  assert.equal(summary.mostInFlight, 5);
  const starved = summarise(cell('x', [1], { b1: 5 }), { label: 'x', short: 'x' }, ['b1', 'b2']);
  assert.equal(starved.imbalance, Number.POSITIVE_INFINITY);
});

const summary = (label: string, fields: Partial<CellSummary>): CellSummary => ({
  algorithm: label,
  label,
  short: label,
  requests: 100,
  p50: 10,
  p99: 20,
  p999: 30,
  errors: 0,
  mostInFlight: 4,
  imbalance: 1,
  ...fields,
});

test('findings name the winner and the loser of each measure with their numbers, ties together', () => {
  const lines = findings(
    [
      summary('round robin', { p99: 40, mostInFlight: 6, imbalance: 1.5, errors: 2 }),
      summary('least connections', { p99: 20, imbalance: 1.1 }),
      summary('ring hash', { p99: 20, imbalance: 1.1, mostInFlight: 6 }),
    ],
    { backends: 4 },
  );
  assert.deepEqual(lines, [
    'Lowest p99: least connections and ring hash at 20 ms; highest: round robin at 40 ms, 2.0x as long.',
    'Most requests in flight on one backend: 4 with least connections, 6 with round robin and ring hash.',
    'Busiest backend over least busy: 1.10x with least connections and ring hash, 1.50x with round robin.',
    'Failed requests: round robin 2 of 100.',
  ]);
});

test('findings on keys moved and on the recovered backend compare with an even spread', () => {
  const lines = findings(
    [
      summary('ring hash', { keysMoved: { joined: 0.18, left: 0.21 }, recoveredPeak: 12 }),
      summary('round robin', { keysMoved: { joined: 0.8, left: 0.79 }, recoveredPeak: 21 }),
    ],
    { backends: 4, burst: 48 },
  );
  assert.ok(lines.includes('Every algorithm had the same p99, 20 ms.'));
  assert.ok(
    lines.includes(
      'Keys moved when a backend joined: fewest with ring hash (18%; under an even spread a newcomer takes 20% of the keys), most with round robin (80%).',
    ),
  );
  assert.ok(
    lines.includes(
      'The backend that came back had at most 12 of the burst of 48 in flight with ring hash and 21 with round robin; an even share is 12.',
    ),
  );
  assert.deepEqual(findings([], { backends: 4 }), ['No algorithm ran in this workload.']);
});
