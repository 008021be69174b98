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

/** Deliberate defects, for the broken balancers in fixtures/broken/ only. */
export interface LimiterDefects {
  /** Buckets never refill. */
  readonly neverRefill?: boolean;
  /** One bucket for every key. */
  readonly sharedBucket?: boolean;
  /** Believe X-Forwarded-For from any peer. */
  readonly trustAnyForwardedFor?: boolean;
  /** The global key gives each client address a bucket of its own. */
  readonly globalPerAddress?: boolean;
  /** Requests without their API key all share one bucket, instead of one per address. */
  readonly missingKeysShareBucket?: boolean;
  /** The table of buckets ignores maxKeys and keeps every key it has seen. */
  readonly unboundedKeys?: boolean;
}

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
  readonly #defects: LimiterDefects;

  constructor(config: RateLimitConfig, clock: Clock, defects: LimiterDefects = {}) {
    this.#config = config;
    this.#defects = defects;
    this.#table = new BucketTable(
      // Stryker disable next-line ArrowFunction: a broken balancer's defect, never on in a correct run
      defects.neverRefill ? () => 0 : clock,
      defects.unboundedKeys ? Number.POSITIVE_INFINITY : config.maxKeys,
    );
    this.#overrides = new Map(config.overrides.map((override) => [override.key, override]));
    this.#trusted = new Set(config.trustedProxies);
  }

  admit(request: LimitedRequest): Verdict {
    const key = this.#keyOf(request);
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
    // Stryker disable next-line StringLiteral: a broken balancer's defect, never on in a correct run
    const taken = this.#table.take(this.#defects.sharedBucket ? 'shared' : key.bucket, shape);
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

  // The bucket a request draws from; undefined when it lacks a required API key.
  #keyOf(request: LimitedRequest): { id: string; bucket: string; describe: string } | undefined {
    const key = this.#config.key;
    if (key.from === 'global' && !this.#defects.globalPerAddress) {
      return { id: '', bucket: 'global', describe: 'everyone' };
    }
    if (key.from === 'header') {
      const value = request.header(key.name.toLowerCase());
      if (value !== undefined && value !== '')
        return { id: value, bucket: `key:${value}`, describe: `this ${key.name}` };
      if (key.whenMissing === 'reject') return undefined;
      // Stryker disable next-line all: a broken balancer's defect, never on in a correct run
      if (this.#defects.missingKeysShareBucket)
        // Stryker disable next-line all: a broken balancer's defect, never on in a correct run
        return { id: '', bucket: 'no-key', describe: 'requests without a key' };
    }
    const address = this.#clientAddress(request);
    return { id: address, bucket: `ip:${address}`, describe: `client ${address}` };
  }

  /**
   * The client's address: the socket's peer, unless that peer is a trusted proxy; then the
   * rightmost X-Forwarded-For entry that is not a trusted proxy itself (entries to its left were
   * written by whoever the client was, and prove nothing).
   */
  #clientAddress(request: LimitedRequest): string {
    const trustAll = this.#defects.trustAnyForwardedFor;
    if (!trustAll && !this.#trusted.has(request.peerAddress)) return request.peerAddress;
    const chain = (request.header('x-forwarded-for') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    // Stryker disable next-line all: a broken balancer's defect, never on in a correct run
    if (trustAll) return chain[0] ?? request.peerAddress;
    for (let i = chain.length - 1; i >= 0; i--)
      if (!this.#trusted.has(chain[i] as string)) return chain[i] as string;
    return request.peerAddress;
  }
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
