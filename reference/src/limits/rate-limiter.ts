import type { Clock } from '../clock.ts';
import type { RateLimitConfig } from '../config/types.ts';
import { type BucketShape, type BucketStore, BucketTable, type TakeResult } from './token-bucket.ts';

/** What a limiter needs of a request. */
export interface LimitedRequest {
  /** The socket's peer. */
  readonly peerAddress: string;
  /** Header values by lowercased name (repeated headers joined with ", "). */
  readonly header: (name: string) => string | undefined;
}

/** A limiter's verdict: go on (with headers to add to the answer), or the refusal to send. */
export type Verdict =
  | { readonly allowed: true; readonly headers: Readonly<Record<string, string>> }
  | {
      readonly allowed: false;
      readonly status: 429 | 401 | 503;
      readonly headers: Readonly<Record<string, string>>;
      readonly message: string;
    };

/** The bucket a request draws from: `id` names it for overrides, `describe` for a refusal's text. */
export interface RequestBucket {
  readonly id: string;
  readonly bucket: string;
  readonly describe: string;
}

/**
 * Which bucket a request draws from under `config`; undefined when it lacks a required API key.
 * `trusted` are the peers whose X-Forwarded-For is believed.
 */
export type BucketChooser = (
  request: LimitedRequest,
  config: RateLimitConfig,
  trusted: ReadonlySet<string>,
) => RequestBucket | undefined;

/** A limit's buckets in the balancer's own memory, on `clock`. */
export function bucketsInMemory(config: RateLimitConfig, clock: Clock): BucketTable {
  return new BucketTable(clock, config.maxKeys);
}

/**
 * A rate limit: a token bucket per key (the client's address, an API key, or one for all), with
 * per-key overrides. A refused request gets 429 with Retry-After, RateLimit-Policy and RateLimit
 * (IETF draft-ietf-httpapi-ratelimit-headers: q = capacity, w = seconds a full refill takes, r =
 * tokens left, t = seconds until full); a request missing its API key gets 401 when so configured.
 * A verdict is given at once when the buckets are in memory, later when they are in a shared
 * store; a store that fails leaves the verdict to the config's "onFailure".
 */
export class RateLimiter {
  readonly #config: RateLimitConfig;
  readonly #buckets: BucketStore;
  readonly #overrides: Map<string, BucketShape>;
  readonly #trusted: ReadonlySet<string>;
  readonly #bucketOf: BucketChooser;

  constructor(config: RateLimitConfig, buckets: BucketStore, chooseBucket: BucketChooser = bucketOf) {
    this.#config = config;
    this.#bucketOf = chooseBucket;
    this.#buckets = buckets;
    this.#overrides = new Map(config.overrides.map((override) => [override.key, override]));
    this.#trusted = new Set(config.trustedProxies);
  }

  admit(request: LimitedRequest): Verdict | Promise<Verdict> {
    const key = this.#bucketOf(request, this.#config, this.#trusted);
    if (key === undefined) {
      const name = (this.#config.key as { name: string }).name;
      return {
        allowed: false,
        status: 401,
        headers: {},
        message: `rate limit "${this.#config.name}" needs an API key in header ${name}`,
      };
    }
    const shape = this.#overrides.get(key.id) ?? this.#config;
    const taken = this.#buckets.take(key.bucket, shape);
    if (!(taken instanceof Promise)) return this.#verdict(taken, shape, key);
    return taken.then(
      (result) => this.#verdict(result, shape, key),
      (error: Error) => this.#unchecked(error),
    );
  }

  #verdict(taken: TakeResult, shape: BucketShape, key: RequestBucket): Verdict {
    const headers = {
      'ratelimit-policy': `"${this.#config.name}";q=${shape.capacity};w=${Math.ceil(shape.capacity / shape.refillPerSecond)}`,
      ratelimit: `"${this.#config.name}";r=${taken.remaining};t=${Math.ceil(taken.secondsToFull)}`,
    };
    if (taken.allowed) return { allowed: true, headers };
    const retryAfter = Math.max(1, Math.ceil(taken.secondsToNextToken));
    return {
      allowed: false,
      status: 429,
      headers: { ...headers, 'retry-after': String(retryAfter) },
      message: `rate limit "${this.#config.name}" reached for ${key.describe}: ${shape.capacity} requests at once, ${shape.refillPerSecond} more per second; retry after ${retryAfter} s`,
    };
  }

  // The store did not answer: "open" lets the request through (without RateLimit headers, as
  // nothing was counted), "closed" refuses it.
  #unchecked(error: Error): Verdict {
    const store = this.#config.store;
    if (store?.onFailure !== 'closed') return { allowed: true, headers: {} };
    return {
      allowed: false,
      status: 503,
      headers: { 'retry-after': '1' },
      message: `rate limit "${this.#config.name}" cannot be checked: its store at ${store.address} failed (${error.message}); requests are refused until it answers`,
    };
  }
}

/** The reference's choice of bucket: one for all, one per API key, or one per client address. */
export const bucketOf: BucketChooser = (request, config, trusted) => {
  const key = config.key;
  if (key.from === 'global') return { id: '', bucket: 'global', describe: 'everyone' };
  if (key.from === 'header') {
    const value = request.header(key.name.toLowerCase());
    if (value !== undefined && value !== '')
      return { id: value, bucket: `key:${value}`, describe: `this ${key.name}` };
    if (key.whenMissing === 'reject') return undefined;
  }
  return addressBucket(clientAddress(request, trusted));
};

/** The bucket of one client address. */
export function addressBucket(address: string): RequestBucket {
  return { id: address, bucket: `ip:${address}`, describe: `client ${address}` };
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy; then the
 * rightmost X-Forwarded-For entry that is not a trusted proxy itself (entries to its left were
 * written by whoever the client was, and prove nothing).
 */
export function clientAddress(request: LimitedRequest, trusted: ReadonlySet<string>): string {
  if (!trusted.has(request.peerAddress)) return request.peerAddress;
  const chain = forwardedForChain(request);
  for (let i = chain.length - 1; i >= 0; i--) if (!trusted.has(chain[i] as string)) return chain[i] as string;
  return request.peerAddress;
}

/** The X-Forwarded-For entries of a request, leftmost first. */
export function forwardedForChain(request: LimitedRequest): string[] {
  return (request.header('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/**
 * The first refusal among `limiters` (each takes a token in turn), or go on with every limit's
 * headers: RateLimit and RateLimit-Policy are lists, one member per policy, in the order applied.
 * At once while the verdicts come at once; from the first limiter whose store answers later, a
 * promise.
 */
export function admitAll(
  limiters: readonly RateLimiter[],
  request: LimitedRequest,
): Verdict | Promise<Verdict> {
  const headers: Record<string, string> = {};
  for (let index = 0; index < limiters.length; index++) {
    const verdict = (limiters[index] as RateLimiter).admit(request);
    if (verdict instanceof Promise) return admitLater(verdict, limiters.slice(index + 1), request, headers);
    if (!verdict.allowed) return verdict;
    addPolicyHeaders(headers, verdict.headers);
  }
  return { allowed: true, headers };
}

/** Calls `then` with `verdict`: at once when it is there, when it comes otherwise. */
export function whenDecided(verdict: Verdict | Promise<Verdict>, then: (verdict: Verdict) => void): void {
  if (verdict instanceof Promise) void verdict.then(then);
  else then(verdict);
}

async function admitLater(
  pending: Promise<Verdict>,
  rest: readonly RateLimiter[],
  request: LimitedRequest,
  headers: Record<string, string>,
): Promise<Verdict> {
  // Each limiter is asked only after the one before it admitted: a refusal spends no later token.
  for (const next of [pending, ...rest]) {
    const verdict = await (next instanceof RateLimiter ? next.admit(request) : next);
    if (!verdict.allowed) return verdict;
    addPolicyHeaders(headers, verdict.headers);
  }
  return { allowed: true, headers };
}

function addPolicyHeaders(headers: Record<string, string>, more: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(more))
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
}
