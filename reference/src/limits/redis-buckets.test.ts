import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PortAllocator } from '../../../harness/processes/ports.ts';
import { RedisServer, redisMissing } from '../../../harness/processes/redis-server.ts';
import { RedisBuckets, type StoreConfig } from './redis-buckets.ts';

// A real Redis: the buckets are a script Redis runs, which nothing short of Redis can check.
const missing = redisMissing();
const ports = new PortAllocator();
let redis: RedisServer;
const log: string[] = [];

before(async () => {
  if (missing) return;
  redis = await RedisServer.start(await ports.allocate());
});

after(async () => {
  await redis?.[Symbol.asyncDispose]();
  ports.releaseAll();
});

const shape = { capacity: 3, refillPerSecond: 0.001 };
const storeAt = (timeoutMs = 2_000): StoreConfig => ({
  type: 'redis',
  address: redis.address,
  timeoutMs,
  onFailure: 'open',
});

async function takes(buckets: RedisBuckets, key: string, count: number): Promise<boolean[]> {
  const allowed: boolean[] = [];
  for (let i = 0; i < count; i++) allowed.push((await buckets.take(key, shape)).allowed);
  return allowed;
}

test('two connections (two instances of a fleet) draw on one bucket per key', { skip: missing }, async () => {
  const first = await RedisBuckets.open(storeAt(), (line) => log.push(line));
  const second = await RedisBuckets.open(storeAt(), (line) => log.push(line));
  try {
    assert.deepEqual(await takes(first, 'shared', 2), [true, true]);
    const third = await second.take('shared', shape);
    assert.equal(third.allowed, true);
    assert.equal(third.remaining, 0);
    assert.ok(third.secondsToNextToken > 0, 'an empty bucket names the wait for its next token');
    assert.deepEqual(await takes(first, 'shared', 1), [false]);
    assert.deepEqual(await takes(second, 'another', 1), [true], 'another key has a bucket of its own');
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? first : second).take('at-once', shape)),
    );
    assert.equal(concurrent.filter((taken) => taken.allowed).length, 3, 'takes at once are atomic');
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});

test("a policy's buckets are its own, and a long key is kept by its digest", { skip: missing }, async () => {
  const buckets = await RedisBuckets.open(storeAt(), (line) => log.push(line));
  try {
    const api = buckets.forPolicy('api');
    const admin = buckets.forPolicy('admin');
    for (let i = 0; i < 3; i++) await api.take('k', shape);
    assert.equal((await api.take('k', shape)).allowed, false);
    assert.equal((await admin.take('k', shape)).allowed, true);
    const long = 'x'.repeat(5_000);
    assert.deepEqual(await takes(buckets, long, 4), [true, true, true, false]);
    assert.deepEqual(await takes(buckets, `${long}y`, 1), [true], 'keys that differ past the cut differ');
  } finally {
    await buckets.close();
  }
});

test('a take fails within the timeout while Redis is paused, at once while it is down, and works once back', {
  skip: missing,
}, async () => {
  const buckets = await RedisBuckets.open(storeAt(200), (line) => log.push(line));
  try {
    await redis.pause();
    const pausedAt = performance.now();
    await assert.rejects(buckets.take('p', shape));
    const waitedMs = performance.now() - pausedAt;
    assert.ok(waitedMs >= 150 && waitedMs < 2_000, `waited ${waitedMs} ms for a 200 ms timeout`);
    await redis.resume();
    await redis.kill();
    const downAt = performance.now();
    await assert.rejects(buckets.take('d', shape));
    assert.ok(performance.now() - downAt < 200, 'no connection: the take fails at once');
    await redis.restart();
    let back = false;
    for (const deadline = performance.now() + 5_000; !back && performance.now() < deadline; ) {
      back = await buckets.take('back', shape).then(
        (taken) => taken.allowed,
        () => new Promise<boolean>((resolve) => setTimeout(resolve, 50, false)),
      );
    }
    assert.ok(back, 'takes work again once Redis is back');
    assert.ok(
      log.some((line) => line.includes('failed')),
      `the outage was logged: ${log.join(' | ')}`,
    );
    assert.ok(
      log.some((line) => line.includes('is back')),
      `the return was logged: ${log.join(' | ')}`,
    );
  } finally {
    await buckets.close();
  }
});
