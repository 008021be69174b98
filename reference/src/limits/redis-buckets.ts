import { createHash } from 'node:crypto';
import type { Redis as RedisClient } from 'ioredis';
import { parseAddress } from '../config/address.ts';
import type { RateLimitConfig } from '../config/types.ts';
import { type BucketShape, type BucketStore, type TakeResult, takeResult } from './token-bucket.ts';

/** A rate limit's shared store, as configured (its defaults filled in). */
export type StoreConfig = NonNullable<RateLimitConfig['store']>;

/**
 * One take, atomic in Redis: refill the bucket for the time since its last take (on Redis's clock,
 * so every instance of a fleet counts the same time), take a token if there is one, keep the
 * bucket until it would be full again. Tokens go back as text: Redis makes a Lua number an integer.
 */
const takeScript = `
local capacity = tonumber(ARGV[1])
local refillPerSecond = tonumber(ARGV[2])
local time = redis.call('TIME')
local nowMs = time[1] * 1000 + time[2] / 1000
local held = redis.call('HMGET', KEYS[1], 'tokens', 'atMs')
local tokens = tonumber(held[1]) or capacity
local atMs = tonumber(held[2]) or nowMs
if nowMs > atMs then tokens = math.min(capacity, tokens + (nowMs - atMs) / 1000 * refillPerSecond) end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'atMs', tostring(nowMs))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / refillPerSecond * 1000) + 1000)
return { allowed, tostring(tokens) }
`;

type TakeCommand = (key: string, capacity: number, refillPerSecond: number) => Promise<[number, string]>;

// Where the buckets live among the store's keys.
const keyPrefix = 'lbspec:ratelimit:';

// Keys past this length are stored by their digest: an API key is the client's to choose.
const longestKeyKept = 128;

/** How long a balancer waits at start for its store before serving without it. */
const firstConnectMs = 2_000;

/**
 * Token buckets in a Redis shared by a fleet: each take is one round trip running `takeScript`
 * (pipelined with the others of the same tick). A take that cannot be sent (no connection) fails
 * at once, one unanswered within the store's timeout fails then; the limiter decides what a
 * failure means. The connection comes back by itself when Redis does.
 */
export class RedisBuckets implements BucketStore {
  readonly #redis: RedisClient;
  readonly #take: TakeCommand;
  #closing = false;

  private constructor(redis: RedisClient, config: StoreConfig, log: (line: string) => void) {
    this.#redis = redis;
    redis.defineCommand('lbspecTakeToken', { numberOfKeys: 1, lua: takeScript });
    this.#take = (redis as unknown as { lbspecTakeToken: TakeCommand }).lbspecTakeToken.bind(redis);
    this.#reportOutages(config, log);
  }

  /**
   * Connects to the store of `config`, waiting up to two seconds for it: a balancer whose store is
   * down serves anyway, its limits settled by "onFailure" until the store answers.
   */
  static async open(config: StoreConfig, log: (line: string) => void): Promise<RedisBuckets> {
    // The package is CommonJS: its module.exports (the client class) is the default export, in a
    // bundle and under node alike; its named exports are not carried by a bundle.
    const { default: Redis } = (await import('ioredis')) as unknown as { default: typeof RedisClient };
    const { host, port } = parseAddress(config.address) as { host: string; port: number };
    const redis = new Redis({
      host,
      port,
      lazyConnect: true,
      commandTimeout: config.timeoutMs,
      connectTimeout: Math.max(config.timeoutMs, 1_000),
      // Without a connection a take fails at once rather than queueing for one.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      enableAutoPipelining: true,
      retryStrategy: (attempt: number) => Math.min(50 * attempt, 500),
    });
    const buckets = new RedisBuckets(redis, config, log);
    const connected = redis.connect().then(
      () => true,
      () => false,
    );
    const waited = new Promise<false>((resolve) => setTimeout(resolve, firstConnectMs, false).unref());
    if (!(await Promise.race([connected, waited])))
      log(`rate-limit store redis at ${config.address} did not answer at start; serving without it`);
    return buckets;
  }

  async take(key: string, shape: BucketShape): Promise<TakeResult> {
    const [allowed, tokens] = await this.#take(this.#keyOf(key), shape.capacity, shape.refillPerSecond);
    return takeResult(allowed === 1, Number(tokens), shape);
  }

  /** A policy's bucket by name: `policy` and the bucket's own key. */
  forPolicy(policy: string): BucketStore {
    return { take: (key, shape) => this.take(`${policy}:${key}`, shape) };
  }

  /** Lets takes under way finish, then closes the connection. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#redis.quit().catch(() => {});
    this.#redis.disconnect(false);
  }

  // One line when the store goes away (an error, or its connection closed) and one when it is back,
  // not one per failed reconnect.
  #reportOutages(config: StoreConfig, log: (line: string) => void): void {
    let down = false;
    const settled = config.onFailure === 'closed' ? 'refused' : 'let through';
    const wentDown = (reason: string): void => {
      if (down || this.#closing) return;
      down = true;
      log(
        `rate-limit store redis at ${config.address} failed (${reason}); requests are ${settled} until it is back`,
      );
    };
    this.#redis.on('error', (error: Error) => wentDown(error.message));
    this.#redis.on('close', () => wentDown('its connection closed'));
    this.#redis.on('ready', () => {
      if (!down) return;
      down = false;
      log(`rate-limit store redis at ${config.address} is back`);
    });
  }

  #keyOf(key: string): string {
    const kept =
      key.length <= longestKeyKept ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
    return keyPrefix + kept;
  }
}
