import { monotonicClock } from '../clock.ts';
import type { BalancerConfig, RateLimitConfig } from '../config/types.ts';
import { bucketsInMemory } from './rate-limiter.ts';
import { RedisBuckets, type StoreConfig } from './redis-buckets.ts';
import type { BucketStore } from './token-bucket.ts';

/**
 * The buckets of every rate limit of one config: in memory for a limit without a store, in its
 * shared store otherwise, one connection per store however many limits name it.
 */
export class LimitStores {
  readonly #shared: ReadonlyMap<string, RedisBuckets>;

  private constructor(shared: ReadonlyMap<string, RedisBuckets>) {
    this.#shared = shared;
  }

  /**
   * Connects to every store `config` names (see RedisBuckets.open for how long it waits), keeping
   * the connections of `previous` (the config served before a reload) to the stores it names too.
   */
  static async open(
    config: BalancerConfig,
    log: (line: string) => void,
    previous?: LimitStores,
  ): Promise<LimitStores> {
    const stores = new Map<string, StoreConfig>();
    for (const limit of rateLimitsOf(config)) if (limit.store) stores.set(storeKey(limit.store), limit.store);
    const opened = await Promise.all(
      [...stores].map(
        async ([key, store]) =>
          [key, LimitStores.#of(previous).get(key) ?? (await RedisBuckets.open(store, log))] as const,
      ),
    );
    return new LimitStores(new Map(opened));
  }

  static #of(stores: LimitStores | undefined): ReadonlyMap<string, RedisBuckets> {
    return stores === undefined ? new Map() : stores.#shared;
  }

  /** Where `limit`'s buckets are kept. */
  bucketsFor(limit: RateLimitConfig): BucketStore {
    if (!limit.store) return bucketsInMemory(limit, monotonicClock);
    return (this.#shared.get(storeKey(limit.store)) as RedisBuckets).forPolicy(limit.name);
  }

  /**
   * Closes each store's connection once its takes under way are answered, but those `next` (the
   * config served after a reload) kept.
   */
  async close(next?: LimitStores): Promise<void> {
    const kept = new Set(LimitStores.#of(next).values());
    await Promise.all(
      [...this.#shared.values()].filter((store) => !kept.has(store)).map((store) => store.close()),
    );
  }
}

function rateLimitsOf(config: BalancerConfig): RateLimitConfig[] {
  return config.listeners.flatMap((listener) => [
    ...(listener.rateLimit ? [listener.rateLimit] : []),
    ...(listener.routes ?? []).flatMap((route) => (route.rateLimit ? [route.rateLimit] : [])),
  ]);
}

// Limits naming the same Redis with the same timeout share a connection.
function storeKey(store: StoreConfig): string {
  return `${store.address} ${store.timeoutMs}`;
}
