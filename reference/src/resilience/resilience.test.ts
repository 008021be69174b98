import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffCapMs, retryDelayMs } from './backoff.ts';
import { RetryBudget } from './retry-budget.ts';
import { isIdempotent } from './retry-policy.ts';

test('backoff caps double from the base up to the maximum', () => {
  const policy = { baseIntervalMs: 100, maxIntervalMs: 1000 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((retry) => backoffCapMs(retry, policy)),
    [100, 200, 400, 800, 1000, 1000],
  );
});

test('the delay is the cap scaled by a uniform draw (full jitter)', () => {
  const policy = { baseIntervalMs: 100, maxIntervalMs: 1000 };
  assert.equal(
    retryDelayMs(3, policy, () => 0),
    0,
  );
  assert.equal(
    retryDelayMs(3, policy, () => 0.5),
    200,
  );
  assert.ok(retryDelayMs(3, policy, () => 0.999999) < 400);
});

test('a retry budget allows max(minRetries, percent of requests) per window, and slides', () => {
  let now = 0;
  const budget = new RetryBudget({ percent: 20, minRetries: 3 }, () => now);
  for (let i = 0; i < 5; i++) budget.recordRequest();
  const granted = () => Array.from({ length: 50 }, () => budget.tryRetry()).filter(Boolean).length;
  assert.equal(granted(), 3, 'minRetries when traffic is low');
  for (let i = 0; i < 100; i++) budget.recordRequest();
  assert.equal(granted(), 18, '20% of 105 is 21, of which 3 were spent');
  now = 10_500;
  assert.equal(granted(), 3, 'after the window slid past, only minRetries again');
});

test('a retry budget slides one bucket at a time, from whatever time it starts at', () => {
  let now = 1_000_000;
  const budget = new RetryBudget({ percent: 20, minRetries: 3 }, () => now);
  const granted = () => Array.from({ length: 50 }, () => budget.tryRetry()).filter(Boolean).length;
  for (let i = 0; i < 100; i++) budget.recordRequest();
  assert.equal(granted(), 20);
  now += 9_500;
  assert.equal(granted(), 0, 'the requests and retries of 9.5 s ago are still in the window');
  now += 500;
  assert.equal(granted(), 3, 'and 10 s later they are gone');
});

test('the idempotent methods of RFC 9110, in any case, and no others', () => {
  for (const method of ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE', 'put', 'Head'])
    assert.ok(isIdempotent(method), method);
  for (const method of ['POST', 'PATCH', 'CONNECT', 'PROPFIND', '']) assert.ok(!isIdempotent(method), method);
});
