import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RateLimitConfig } from '../config/types.ts';
import { admitAll, RateLimiter } from './rate-limiter.ts';

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
  const empty = limiter.admit(request('127.0.0.2', { 'x-api-key': '' }));
  assert.ok(!empty.allowed && empty.status === 401, 'an empty key is no key');
});

test('the headers give the window a full refill takes, and Retry-After the wait for the next token', () => {
  const limiter = new RateLimiter({ ...base, capacity: 4, refillPerSecond: 0.5 }, () => 0);
  for (let i = 0; i < 4; i++) limiter.admit(request('127.0.0.2'));
  const refused = limiter.admit(request('127.0.0.2'));
  assert.deepEqual(refused.headers, {
    'ratelimit-policy': '"api";q=4;w=8',
    ratelimit: '"api";r=0;t=8',
    'retry-after': '2',
  });
});

test('X-Forwarded-For from trusted proxies: every hop trimmed and trusted ones skipped, empty entries ignored', () => {
  const limiter = new RateLimiter(
    { ...base, capacity: 1, trustedProxies: ['127.0.0.9', '127.0.0.8'] },
    () => 0,
  );
  const from = (chain: string) => limiter.admit(request('127.0.0.9', { 'x-forwarded-for': chain })).allowed;
  assert.ok(from('10.0.0.1'));
  assert.ok(from('10.0.1.1'), 'an address that ends like another is another client');
  assert.ok(!from('10.0.0.1 ,127.0.0.8,, '), 'the same client behind two trusted proxies, however spaced');
  assert.ok(from('127.0.0.8, 127.0.0.9'), 'a chain of trusted proxies only is the peer itself');
  assert.ok(!from('127.0.0.9'), 'the peer, again');
  const bare = limiter.admit(request('127.0.0.9')).allowed;
  assert.ok(!bare, 'without X-Forwarded-For, a trusted proxy is the client itself: the peer, a third time');
});

test('requests pass every limit in turn: any one refuses, and an admitted request lists every policy', () => {
  const listener = new RateLimiter({ ...base, name: 'listener', capacity: 5 }, () => 0);
  const route = new RateLimiter({ ...base, name: 'route', capacity: 1 }, () => 0);
  const first = admitAll([listener, route], request('127.0.0.2'));
  assert.ok(first.allowed);
  assert.deepEqual(first.headers, {
    'ratelimit-policy': '"listener";q=5;w=5, "route";q=1;w=1',
    ratelimit: '"listener";r=4;t=1, "route";r=0;t=1',
  });
  const second = admitAll([listener, route], request('127.0.0.2'));
  assert.ok(!second.allowed && second.status === 429 && second.message.includes('"route"'));
});
