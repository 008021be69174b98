import type { Clock } from '../clock.ts';

/** A token bucket's shape: it holds up to `capacity` tokens and gains `refillPerSecond` each second. */
export interface BucketShape {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

/** One key's bucket: tokens as of `atMs`. */
interface Bucket {
  tokens: number;
  atMs: number;
  readonly shape: BucketShape;
}

// Every this many takes, buckets that have refilled to full are dropped.
const sweepEvery = 1024;

/** What taking a token found. */
export interface TakeResult {
  readonly allowed: boolean;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** Seconds until the next token (0 when one is there). */
  readonly secondsToNextToken: number;
  /** Seconds until the bucket is full again. */
  readonly secondsToFull: number;
}

/**
 * Where a limit's buckets are kept: in the balancer's memory (BucketTable, which answers at once),
 * or in a store shared by a fleet (which answers later, and may fail).
 */
export interface BucketStore {
  /** Takes one token from `key`'s bucket of `shape`, if it has one. */
  take(key: string, shape: BucketShape): TakeResult | Promise<TakeResult>;
}

/** What a take found, from the tokens left after it (fractions included). */
export function takeResult(allowed: boolean, tokens: number, shape: BucketShape): TakeResult {
  return {
    allowed,
    remaining: Math.floor(tokens),
    secondsToNextToken: tokens >= 1 ? 0 : (1 - tokens) / shape.refillPerSecond,
    secondsToFull: (shape.capacity - tokens) / shape.refillPerSecond,
  };
}

/**
 * Token buckets by key, bounded: at most `maxKeys` are kept, the least recently used going first.
 * A bucket left alone refills to full, which is what a missing bucket means, so dropping an idle
 * one loses nothing; only a table flooded past `maxKeys` with live buckets forgets some state.
 */
export class BucketTable implements BucketStore {
  readonly #buckets = new Map<string, Bucket>();
  readonly #clock: Clock;
  readonly #maxKeys: number;
  #takesSinceSweep = 0;

  constructor(clock: Clock, maxKeys: number) {
    this.#clock = clock;
    this.#maxKeys = maxKeys;
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one token from `key`'s bucket of `shape`, if it has one. */
  take(key: string, shape: BucketShape): TakeResult {
    const now = this.#clock();
    if (++this.#takesSinceSweep >= sweepEvery) this.sweep();
    const bucket = this.#buckets.get(key) ?? { tokens: shape.capacity, atMs: now, shape };
    this.#buckets.delete(key); // re-inserted last: the Map's order is the recency order
    bucket.tokens = Math.min(
      shape.capacity,
      bucket.tokens + ((now - bucket.atMs) / 1000) * shape.refillPerSecond,
    );
    bucket.atMs = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    // Never full after a take (a capacity is at least 1), so always kept.
    this.#buckets.set(key, bucket);
    for (const oldest of this.#buckets.keys()) {
      if (this.#buckets.size <= this.#maxKeys) break;
      this.#buckets.delete(oldest);
    }
    return takeResult(allowed, bucket.tokens, shape);
  }

  /** Drops the buckets that have refilled to full: the same as not having them. */
  sweep(): void {
    this.#takesSinceSweep = 0;
    const now = this.#clock();
    for (const [key, { tokens, atMs, shape }] of this.#buckets) {
      if (tokens + ((now - atMs) / 1000) * shape.refillPerSecond >= shape.capacity) this.#buckets.delete(key);
    }
  }
}
