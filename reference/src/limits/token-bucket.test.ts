import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BucketTable } from './token-bucket.ts';

const shape = { capacity: 3, refillPerSecond: 2 };

test('a full bucket lets capacity through at once, then one more per 1/rate seconds', () => {
  const now = { ms: 0 };
  const table = new BucketTable(() => now.ms, 10);
  assert.deepEqual(
    [1, 2, 3, 4].map(() => table.take('a', shape).allowed),
    [true, true, true, false],
  );
  const refused = table.take('a', shape);
  assert.equal(refused.secondsToNextToken, 0.5);
  now.ms = 499;
  assert.equal(table.take('a', shape).allowed, false);
  now.ms = 1_000;
  assert.equal(table.take('a', shape).allowed, true);
  assert.equal(table.take('b', shape).remaining, 2, 'another key has a bucket of its own');
});

test('the table keeps at most maxKeys buckets, and full ones are dropped', () => {
  const now = { ms: 0 };
  const table = new BucketTable(() => now.ms, 100);
  for (let i = 0; i < 10_000; i++) table.take(`k${i}`, shape);
  assert.equal(table.size, 100);
  now.ms = 10_000;
  table.sweep();
  assert.equal(table.size, 0);
});
