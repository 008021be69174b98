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

test('what a take reports: whole tokens left, seconds to the next token and to a full bucket', () => {
  const now = { ms: 1_000 };
  const table = new BucketTable(() => now.ms, 10);
  const slow = { capacity: 3, refillPerSecond: 1 };
  assert.deepEqual(table.take('a', slow), {
    allowed: true,
    remaining: 2,
    secondsToNextToken: 0,
    secondsToFull: 1,
  });
  table.take('a', slow);
  table.take('a', slow);
  now.ms = 1_500;
  assert.deepEqual(table.take('a', slow), {
    allowed: false,
    remaining: 0,
    secondsToNextToken: 0.5,
    secondsToFull: 2.5,
  });
});

test('a sweep, asked for or every 1,024 takes, drops only the buckets that have refilled to full', () => {
  const now = { ms: 5_000 };
  const table = new BucketTable(() => now.ms, 10_000);
  for (let i = 0; i < 3; i++) table.take('drained', shape);
  now.ms = 5_100;
  table.sweep();
  assert.equal(table.take('drained', shape).allowed, false, 'a bucket still refilling is kept');
  now.ms = 6_500; // 0.2 tokens at 5,100, and 2 more a second: full at 6,500
  table.sweep();
  assert.equal(table.size, 0, 'a bucket refilled to full is dropped');
  now.ms = 60_000;
  for (let i = 0; i < 1_000; i++) table.take(`k${i}`, shape);
  assert.equal(table.size, 1_000);
  now.ms = 120_000;
  for (let i = 0; i < 23; i++) table.take('busy', shape); // the 1,001st to 1,023rd takes since the sweep
  assert.equal(table.size, 1_001, 'no sweep before the 1,024th take');
  table.take('busy', shape);
  assert.equal(table.size, 1, 'the 1,024th take sweeps every full bucket away');
});
