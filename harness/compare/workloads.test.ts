import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../checks/seeded-random.ts';
import { trafficFor } from './drive.ts';
import { durationFor, quickScale, workloads } from './workloads.ts';

test('durations are drawn by their shares', () => {
  const durations = [
    { ms: 2, share: 0.9 },
    { ms: 20, share: 0.09 },
    { ms: 200, share: 0.01 },
  ];
  assert.equal(durationFor(durations, 0), 2);
  assert.equal(durationFor(durations, 0.8999), 2);
  assert.equal(durationFor(durations, 0.9), 20);
  assert.equal(durationFor(durations, 0.995), 200);
  const random = seededRandom(7);
  const drawn = Array.from({ length: 100_000 }, () => durationFor(durations, random()));
  const long = drawn.filter((ms) => ms === 200).length;
  // 1% of 100,000: a binomial with sd 31; 6 sd either side.
  assert.ok(Math.abs(long - 1_000) < 190, `${long} long requests`);
});

test('every algorithm of a workload meets the same requests; workloads differ', () => {
  const [first, second] = workloads;
  assert.ok(first && second);
  assert.deepEqual(trafficFor(first, quickScale), trafficFor(first, quickScale));
  assert.notDeepEqual(trafficFor(first, quickScale), trafficFor(second, quickScale));
  const variable = workloads.find((workload) => workload.durations);
  assert.ok(variable);
  assert.ok(trafficFor(variable, quickScale).every((request) => request.delayMs !== undefined));
  assert.ok(trafficFor(first, quickScale).every((request) => request.delayMs === undefined));
});

test('workload ids are unique, and each workload names its backends b1, b2, ...', () => {
  assert.equal(new Set(workloads.map((workload) => workload.id)).size, workloads.length);
  for (const workload of workloads)
    assert.deepEqual(
      workload.backends.map((backend) => backend.id),
      workload.backends.map((_, i) => `b${i + 1}`),
    );
});
