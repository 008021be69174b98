import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RateLimitConfig } from '../config/types.ts';
import { RateLimiter } from './rate-limiter.ts';

const base: RateLimitConfig = {
  name: 'api',
  key: { from: 'client-ip' },
  capacity: 2,
  refillPerSecond: 1,
  overrides: [],
  trustedProxies: ['127.0.0.9'],
  maxKeys: 1000,
};
const request = (peerAddress: string, headers: Record<string, string> = {}) => ({
  peerAddress,
  header: (name: string) => headers[name],
});

test('a refusal is a 429 with Retry-After and the RateLimit headers', () => {
  const limiter = new RateLimiter(base, () => 0);
  limiter.admit(request('127.0.0.2'));
  const second = limiter.admit(request('127.0.0.2'));
  assert.deepEqual(second, {
    allowed: true,
    headers: { 'ratelimit-policy': '"api";q=2;w=2', ratelimit: '"api";r=0;t=2' },
  });
  const third = limiter.admit(request('127.0.0.2'));
  assert.ok(!third.allowed && third.status === 429);
  assert.equal(third.headers['retry-after'], '1');
});

test('X-Forwarded-For counts only from a trusted proxy, and then its rightmost untrusted entry', () => {
  const limiter = new RateLimiter({ ...base, capacity: 1 }, () => 0);
  assert.ok(limiter.admit(request('127.0.0.2', { 'x-forwarded-for': '10.0.0.1' })).allowed);
  assert.ok(
    !limiter.admit(request('127.0.0.2', { 'x-forwarded-for': '10.0.0.2' })).allowed,
    'spoofed XFF is ignored',
  );
  assert.ok(limiter.admit(request('127.0.0.9', { 'x-forwarded-for': '10.0.0.1, 10.0.0.3' })).allowed);
  assert.ok(!limiter.admit(request('127.0.0.9', { 'x-forwarded-for': '10.0.0.7, 10.0.0.3' })).allowed);
});

test('API keys have buckets of their own, overrides give tiers, and a missing key falls back or is refused', () => {
  const byKey = {
    ...base,
    capacity: 1,
    key: { from: 'header', name: 'X-Api-Key', whenMissing: 'reject' } as const,
  };
  const limiter = new RateLimiter(
    { ...byKey, overrides: [{ key: 'gold', capacity: 3, refillPerSecond: 1 }] },
    () => 0,
  );
  const tries = (key: string) =>
    [1, 2, 3, 4].map(() => limiter.admit(request('127.0.0.2', { 'x-api-key': key })).allowed).filter(Boolean)
      .length;
  assert.equal(tries('silver'), 1);
  assert.equal(tries('gold'), 3);
  const missing = limiter.admit(request('127.0.0.2'));
  assert.ok(!missing.allowed && missing.status === 401);
});
