import type { Clock } from '../clock.ts';
import type { RateLimitConfig } from '../config/types.ts';
import { type BucketShape, BucketTable } from './token-bucket.ts';

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
      readonly status: 429 | 401;
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

/**
 * A rate limit: a token bucket per key (the client's address, an API key, or one for all), with
 * per-key overrides. A refused request gets 429 with Retry-After, RateLimit-Policy and RateLimit
 * (IETF draft-ietf-httpapi-ratelimit-headers: q = capacity, w = seconds a full refill takes, r =
 * tokens left, t = seconds until full); a request missing its API key gets 401 when so configured.
 */
export class RateLimiter {
  readonly #config: RateLimitConfig;
  readonly #table: BucketTable;
  readonly #overrides: Map<string, BucketShape>;
  readonly #trusted: ReadonlySet<string>;
  readonly #bucketOf: BucketChooser;

  constructor(config: RateLimitConfig, clock: Clock, chooseBucket: BucketChooser = bucketOf) {
    this.#config = config;
    this.#bucketOf = chooseBucket;
    this.#table = new BucketTable(clock, config.maxKeys);
    this.#overrides = new Map(config.overrides.map((override) => [override.key, override]));
    this.#trusted = new Set(config.trustedProxies);
  }

  admit(request: LimitedRequest): Verdict {
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
    const taken = this.#table.take(key.bucket, shape);
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
 */
export function admitAll(limiters: readonly RateLimiter[], request: LimitedRequest): Verdict {
  const headers: Record<string, string> = {};
  for (const limiter of limiters) {
    const verdict = limiter.admit(request);
    if (!verdict.allowed) return verdict;
    for (const [name, value] of Object.entries(verdict.headers))
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { allowed: true, headers };
}
