import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { PortAllocator } from '../../../harness/processes/ports.ts';
import { RedisServer, redisMissing } from '../../../harness/processes/redis-server.ts';
import type { BalancerConfig, RateLimitConfig } from '../config/types.ts';
import { LimitStores } from './limit-stores.ts';

const missing = redisMissing();
const ports = new PortAllocator();
let redis: RedisServer;

before(async () => {
  if (!missing) redis = await RedisServer.start(await ports.allocate());
});

after(async () => {
  await redis?.[Symbol.asyncDispose]();
  ports.releaseAll();
});

const limit = (timeoutMs: number): RateLimitConfig => ({
  name: 'api',
  key: { from: 'global' },
  capacity: 5,
  refillPerSecond: 1,
  overrides: [],
  trustedProxies: [],
  maxKeys: 100,
  store: { type: 'redis', address: redis.address, timeoutMs, onFailure: 'open' },
});
// Only what LimitStores reads of a config: its listeners' rate limits.
const configWith = (rateLimit: RateLimitConfig) =>
  ({
    listeners: [{ name: 'main', protocol: 'http', address: '127.0.0.1:1', rateLimit }],
  }) as unknown as BalancerConfig;

/** How many connections Redis has besides the one asking (CLIENT LIST, a line per connection). */
function otherClients(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(redis.port, '127.0.0.1', () => socket.write('CLIENT LIST\r\n'));
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      const length = Number(/^\$(\d+)\r\n/.exec(reply)?.[1]);
      if (!(reply.length >= length)) return;
      socket.destroy();
      resolve(reply.split('\n').filter((line) => line.startsWith('id=')).length - 1);
    });
    socket.on('error', reject);
  });
}

test('a reload keeps the connection to a store both configs name, and closes the one it no longer names', {
  skip: missing,
}, async () => {
  const log: string[] = [];
  const before = await LimitStores.open(configWith(limit(1_000)), (line) => log.push(line));
  const after = await LimitStores.open(configWith(limit(1_000)), (line) => log.push(line), before);
  assert.equal(await otherClients(), 1, 'one connection for both configs');
  await before.close(after);
  const changed = await LimitStores.open(configWith(limit(2_000)), (line) => log.push(line), after);
  const shape = { capacity: 5, refillPerSecond: 1 };
  assert.equal((await after.bucketsFor(limit(1_000)).take('k', shape)).allowed, true, 'kept open');
  await after.close(changed);
  await assert.rejects(
    Promise.resolve(after.bucketsFor(limit(1_000)).take('k', shape)),
    'a store another timeout names has a connection of its own, and the old one is closed',
  );
  assert.equal((await changed.bucketsFor(limit(2_000)).take('k', shape)).allowed, true);
  await changed.close();
  assert.deepEqual(log, [], 'no outage was logged for a connection closed on purpose');
});
