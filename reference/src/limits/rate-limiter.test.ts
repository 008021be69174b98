import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RateLimitConfig } from '../config/types.ts';
import { admitAll, bucketsInMemory, RateLimiter, type Verdict } from './rate-limiter.ts';
import type { BucketStore } from './token-bucket.ts';

const base: RateLimitConfig = {
  name: 'api',
  key: { from: 'client-ip' },
  capacity: 2,
  refillPerSecond: 1,
  overrides: [],
  trustedProxies: ['127.0.0.9'],
  maxKeys: 1000,
};
/** A limiter whose clock stands still, with its buckets in memory. */
const stillLimiter = (config: RateLimitConfig) =>
  new RateLimiter(
    config,
    bucketsInMemory(config, () => 0),
  );

/** A verdict that must have come at once, as one from buckets in memory does. */
function decided(verdict: Verdict | Promise<Verdict>): Verdict {
  assert.ok(!(verdict instanceof Promise), 'buckets in memory decide at once');
  return verdict;
}

const request = (peerAddress: string, headers: Record<string, string> = {}) => ({
  peerAddress,
  header: (name: string) => headers[name],
});

test('a refusal is a 429 with Retry-After and the RateLimit headers', () => {
  const limiter = stillLimiter(base);
  decided(limiter.admit(request('127.0.0.2')));
  const second = decided(limiter.admit(request('127.0.0.2')));
  assert.deepEqual(second, {
    allowed: true,
    headers: { 'ratelimit-policy': '"api";q=2;w=2', ratelimit: '"api";r=0;t=2' },
  });
  const third = decided(limiter.admit(request('127.0.0.2')));
  assert.ok(!third.allowed && third.status === 429);
  assert.equal(third.headers['retry-after'], '1');
});

test('X-Forwarded-For counts only from a trusted proxy, and then its rightmost untrusted entry', () => {
  const limiter = stillLimiter({ ...base, capacity: 1 });
  assert.ok(decided(limiter.admit(request('127.0.0.2', { 'x-forwarded-for': '10.0.0.1' }))).allowed);
  assert.ok(
    !decided(limiter.admit(request('127.0.0.2', { 'x-forwarded-for': '10.0.0.2' }))).allowed,
    'spoofed XFF is ignored',
  );
  assert.ok(
    decided(limiter.admit(request('127.0.0.9', { 'x-forwarded-for': '10.0.0.1, 10.0.0.3' }))).allowed,
  );
  assert.ok(
    !decided(limiter.admit(request('127.0.0.9', { 'x-forwarded-for': '10.0.0.7, 10.0.0.3' }))).allowed,
  );
});

test('API keys have buckets of their own, overrides give tiers, and a missing key falls back or is refused', () => {
  const byKey = {
    ...base,
    capacity: 1,
    key: { from: 'header', name: 'X-Api-Key', whenMissing: 'reject' } as const,
  };
  const limiter = stillLimiter({ ...byKey, overrides: [{ key: 'gold', capacity: 3, refillPerSecond: 1 }] });
  const tries = (key: string) =>
    [1, 2, 3, 4]
      .map(() => decided(limiter.admit(request('127.0.0.2', { 'x-api-key': key }))).allowed)
      .filter(Boolean).length;
  assert.equal(tries('silver'), 1);
  assert.equal(tries('gold'), 3);
  const missing = decided(limiter.admit(request('127.0.0.2')));
  assert.ok(!missing.allowed && missing.status === 401);
  const empty = decided(limiter.admit(request('127.0.0.2', { 'x-api-key': '' })));
  assert.ok(!empty.allowed && empty.status === 401, 'an empty key is no key');
});

test('the headers give the window a full refill takes, and Retry-After the wait for the next token', () => {
  const limiter = stillLimiter({ ...base, capacity: 4, refillPerSecond: 0.5 });
  for (let i = 0; i < 4; i++) decided(limiter.admit(request('127.0.0.2')));
  const refused = decided(limiter.admit(request('127.0.0.2')));
  assert.deepEqual(refused.headers, {
    'ratelimit-policy': '"api";q=4;w=8',
    ratelimit: '"api";r=0;t=8',
    'retry-after': '2',
  });
});

test('X-Forwarded-For from trusted proxies: every hop trimmed and trusted ones skipped, empty entries ignored', () => {
  const limiter = stillLimiter({ ...base, capacity: 1, trustedProxies: ['127.0.0.9', '127.0.0.8'] });
  const from = (chain: string) =>
    decided(limiter.admit(request('127.0.0.9', { 'x-forwarded-for': chain }))).allowed;
  assert.ok(from('10.0.0.1'));
  assert.ok(from('10.0.1.1'), 'an address that ends like another is another client');
  assert.ok(!from('10.0.0.1 ,127.0.0.8,, '), 'the same client behind two trusted proxies, however spaced');
  assert.ok(from('127.0.0.8, 127.0.0.9'), 'a chain of trusted proxies only is the peer itself');
  assert.ok(!from('127.0.0.9'), 'the peer, again');
  const bare = decided(limiter.admit(request('127.0.0.9'))).allowed;
  assert.ok(!bare, 'without X-Forwarded-For, a trusted proxy is the client itself: the peer, a third time');
});

test('requests pass every limit in turn: any one refuses, and an admitted request lists every policy', () => {
  const listener = stillLimiter({ ...base, name: 'listener', capacity: 5 });
  const route = stillLimiter({ ...base, name: 'route', capacity: 1 });
  const first = decided(admitAll([listener, route], request('127.0.0.2')));
  assert.ok(first.allowed);
  assert.deepEqual(first.headers, {
    'ratelimit-policy': '"listener";q=5;w=5, "route";q=1;w=1',
    ratelimit: '"listener";r=4;t=1, "route";r=0;t=1',
  });
  const second = decided(admitAll([listener, route], request('127.0.0.2')));
  assert.ok(!second.allowed && second.status === 429 && second.message.includes('"route"'));
});

/** Buckets in a store that answers later, or fails with `failure`. */
function laterStore(failure?: Error): BucketStore {
  const table = bucketsInMemory({ ...base, capacity: 1 }, () => 0);
  return {
    take: async (key, shape) => {
      if (failure) throw failure;
      return table.take(key, shape);
    },
  };
}

const stored = (onFailure: 'open' | 'closed') => ({
  ...base,
  capacity: 1,
  store: { type: 'redis' as const, address: '127.0.0.1:6390', timeoutMs: 100, onFailure },
});

test('buckets in a store give their verdicts later, the same verdicts', async () => {
  const limiter = new RateLimiter(stored('open'), laterStore());
  const first = limiter.admit(request('127.0.0.2'));
  assert.ok(first instanceof Promise);
  assert.ok((await first).allowed);
  const second = await limiter.admit(request('127.0.0.2'));
  assert.ok(!second.allowed && second.status === 429 && second.headers['retry-after'] !== undefined);
});

test('a store that fails: "open" lets the request through without headers, "closed" refuses it with 503', async () => {
  const down = new Error('connection refused');
  const open = await new RateLimiter(stored('open'), laterStore(down)).admit(request('127.0.0.2'));
  assert.deepEqual(open, { allowed: true, headers: {} });
  const closed = await new RateLimiter(stored('closed'), laterStore(down)).admit(request('127.0.0.2'));
  assert.ok(!closed.allowed && closed.status === 503);
  assert.equal(closed.headers['retry-after'], '1');
  assert.match(closed.message, /127\.0\.0\.1:6390.*connection refused/);
});

test('limits in a store are asked in turn: a refusal spends no token of a later limit', async () => {
  const first = new RateLimiter({ ...stored('open'), name: 'first' }, laterStore());
  const second = stillLimiter({ ...base, name: 'second', capacity: 5 });
  assert.ok((await admitAll([first, second], request('127.0.0.2'))).allowed);
  const refused = await admitAll([first, second], request('127.0.0.2'));
  assert.ok(!refused.allowed && refused.message.includes('"first"'));
  const secondAlone = decided(second.admit(request('127.0.0.2')));
  assert.ok(secondAlone.allowed);
  assert.equal(
    secondAlone.headers.ratelimit,
    '"second";r=3;t=2',
    'the second limit was spent once before, not twice',
  );
  assert.ok(admitAll([first, second], request('127.0.0.3')) instanceof Promise, 'not at once with a store');
});
