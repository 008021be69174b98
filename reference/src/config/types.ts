/**
 * The neutral balancer config, version 1: the shapes of schema/config.v1.schema.json, once.
 * `...Config` types are what `loadConfig` returns, every default filled in (defaults.ts reads them
 * from the schema); `...Document` types are the same config as written, where a field the schema
 * gives a default may be left out. The harness writes documents; the reference reads them.
 */

export type ListenerProtocol = 'http' | 'tcp';

/** Balancing algorithms a pool may name. Default: round_robin. */
export type Algorithm =
  | 'round_robin'
  | 'weighted_round_robin'
  | 'least_connections'
  | 'power_of_two_choices'
  | 'random'
  | 'consistent_hash';

/** Where consistent_hash takes a request's key from. */
export type HashKey =
  | { readonly from: 'header' | 'cookie' | 'query'; readonly name: string }
  | { readonly from: 'client-ip' | 'path' };

/** A host and port, parsed from "host:port" or "[v6]:port". */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface BackendConfig {
  readonly id: string;
  readonly address: string;
  /** Relative capacity; default 1. */
  readonly weight: number;
  /** No new requests; those in flight finish. */
  readonly drain?: boolean;
}

/** Active health checks; see the schema's "healthCheck" for the semantics. */
export interface HealthCheckConfig {
  readonly type: 'http' | 'tcp';
  readonly path: string;
  readonly expectedStatuses: readonly number[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly initialState: 'healthy' | 'unhealthy';
}

/** Passive health: ejection after consecutive failures. */
export interface OutlierDetectionConfig {
  readonly consecutiveFailures: number;
  readonly baseEjectionMs: number;
  readonly maxEjectionMs: number;
  readonly maxEjectionPercent: number;
}

/** A failure a retry policy may name: a transport failure, or an HTTP status. */
export type RetryableFailure = 'connect-failure' | 'reset' | 'timeout' | number;

export interface RetryConfig {
  readonly attempts: number;
  readonly retryOn: readonly RetryableFailure[];
  readonly baseIntervalMs: number;
  readonly maxIntervalMs: number;
  readonly retryNonIdempotent: boolean;
  readonly budget?: { readonly percent: number; readonly minRetries: number };
}

export interface TimeoutConfig {
  readonly connectMs: number;
  readonly responseMs: number;
}

/** A failure a circuit breaker may count: a transport failure, any 5xx, or one status. */
export type BreakerFailure = 'connect-failure' | 'reset' | 'timeout' | '5xx' | number;

/** Circuit breakers per backend; see the schema's "circuitBreaker". */
export interface CircuitBreakerConfig {
  readonly consecutiveFailures: number;
  /** Absent: no failure-rate trigger. */
  readonly failureRatePercent?: number;
  readonly minimumRequests: number;
  readonly windowMs: number;
  readonly openMs: number;
  readonly maxOpenMs: number;
  readonly halfOpenRequests: number;
  readonly failureOn: readonly BreakerFailure[];
  /** Absent: no cap. */
  readonly maxConcurrentRequests?: number;
}

export interface PoolConfig {
  readonly name: string;
  readonly algorithm: Algorithm;
  readonly backends: readonly BackendConfig[];
  readonly healthCheck?: HealthCheckConfig;
  readonly outlierDetection?: OutlierDetectionConfig;
  /** Absent: one attempt per request. */
  readonly retries?: RetryConfig;
  readonly timeouts: TimeoutConfig;
  readonly circuitBreaker?: CircuitBreakerConfig;
  /** 0: off. */
  readonly panicThresholdPercent: number;
  readonly backupPool?: string;
  /** consistent_hash only: where the key comes from. */
  readonly hashKey?: HashKey;
  /**
   * consistent_hash only: bounded loads. A backend takes a keyed request only while its requests in
   * flight stay within this percentage of its weighted share of all in flight; otherwise the ring's
   * next backend with room does.
   */
  readonly hashBalanceFactor?: number;
  /** consistent_hash only: "ring" (default) or "maglev", the lookup keys go through. */
  readonly hashMethod?: 'ring' | 'maglev';
  /** Cookie affinity: a client that has the cookie keeps its backend. */
  readonly stickySession?: StickySessionConfig;
}

export interface StickySessionConfig {
  readonly cookie: string;
  /** Signs the cookie's value; balancers sharing it honour each other's cookies. */
  readonly secret: string;
  readonly path: string;
  readonly httpOnly: boolean;
  readonly sameSite: 'Strict' | 'Lax' | 'None';
  /** Absent: a session cookie. */
  readonly maxAgeSeconds?: number;
}

/** How a route matches a path; see the schema's "route". */
export type PathMatch =
  | { readonly exact: string }
  | { readonly prefix: string }
  | { readonly pattern: string };

export type HeaderMatch = { readonly name: string } & (
  | { readonly exact: string }
  | { readonly present: true }
  | { readonly regex: string }
);

export type QueryMatch = { readonly name: string } & (
  | { readonly exact: string }
  | { readonly present: true }
);

/** What a rate limit's buckets belong to. */
export type RateLimitKey =
  | { readonly from: 'client-ip' | 'global' }
  | { readonly from: 'header'; readonly name: string; readonly whenMissing: 'client-ip' | 'reject' };

/** A token bucket per key; see the schema's "rateLimit". */
export interface RateLimitConfig {
  readonly name: string;
  readonly key: RateLimitKey;
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly overrides: readonly {
    readonly key: string;
    readonly capacity: number;
    readonly refillPerSecond: number;
  }[];
  readonly trustedProxies: readonly string[];
  readonly maxKeys: number;
}

/** Header changes: remove, then set, then add. */
export interface HeaderRules {
  readonly remove?: readonly string[];
  readonly set?: Readonly<Record<string, string>>;
  readonly add?: Readonly<Record<string, string>>;
}

export interface WeightedPool {
  readonly pool: string;
  readonly weight: number;
}

export interface RedirectConfig {
  readonly status: 301 | 302 | 307 | 308;
  readonly scheme?: 'http' | 'https';
  readonly host?: string;
  readonly port?: number;
  readonly path?: string;
  readonly prefix?: string;
}

export interface RewriteConfig {
  readonly path?: string;
  readonly prefix?: string;
  readonly host?: string;
}

/** One content-based route of an HTTP listener: exactly one of pool, split or redirect. */
export interface RouteConfig {
  readonly name: string;
  readonly pool?: string;
  readonly split?: readonly WeightedPool[];
  readonly redirect?: RedirectConfig;
  readonly rewrite?: RewriteConfig;
  readonly requestHeaders?: HeaderRules;
  readonly responseHeaders?: HeaderRules;
  readonly rateLimit?: RateLimitConfig;
  readonly match: {
    readonly host?: string;
    readonly path?: PathMatch;
    readonly method?: readonly string[];
    readonly headers?: readonly HeaderMatch[];
    readonly query?: readonly QueryMatch[];
  };
}

export interface ListenerConfig {
  readonly name: string;
  readonly protocol: ListenerProtocol;
  readonly address: string;
  /** The pool it balances over; with routes, the pool for requests no route matches. */
  readonly pool?: string;
  readonly routes?: readonly RouteConfig[];
  readonly rateLimit?: RateLimitConfig;
  readonly limits?: ClientLimits;
}

/** Defences against abusive clients; see the schema's "limits". Absent: off. */
export interface ClientLimits {
  readonly maxConnectionsPerClient?: number;
  readonly headerTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly maxHeaderBytes?: number;
  readonly maxBodyBytes?: number;
  readonly idleTimeoutMs?: number;
}

export interface BalancerConfig {
  readonly version: 1;
  readonly admin?: { readonly address: string; readonly token?: string };
  readonly listeners: readonly ListenerConfig[];
  readonly pools: Readonly<Record<string, PoolConfig>>;
}

/** `T` as written: the fields in `Defaulted`, which the schema gives defaults, may be left out. */
type Written<T, Defaulted extends keyof T> = Omit<T, Defaulted> & Partial<Pick<T, Defaulted>>;

export type BackendDocument = Written<BackendConfig, 'weight'>;
export type HealthCheckDocument = Partial<HealthCheckConfig>;
export type OutlierDetectionDocument = Partial<OutlierDetectionConfig>;
export type TimeoutsDocument = Partial<TimeoutConfig>;
export type RetriesDocument = Written<
  Omit<RetryConfig, 'budget'>,
  'retryOn' | 'baseIntervalMs' | 'maxIntervalMs' | 'retryNonIdempotent'
> & { readonly budget?: Written<NonNullable<RetryConfig['budget']>, 'minRetries'> };
export type CircuitBreakerDocument = Partial<CircuitBreakerConfig>;
export type StickySessionDocument = Written<StickySessionConfig, 'cookie' | 'path' | 'httpOnly' | 'sameSite'>;

export interface PoolDocument
  extends Written<
    Omit<
      PoolConfig,
      | 'name'
      | 'backends'
      | 'healthCheck'
      | 'outlierDetection'
      | 'retries'
      | 'timeouts'
      | 'circuitBreaker'
      | 'stickySession'
    >,
    'algorithm' | 'panicThresholdPercent'
  > {
  readonly backends: readonly BackendDocument[];
  readonly healthCheck?: HealthCheckDocument;
  readonly outlierDetection?: OutlierDetectionDocument;
  readonly retries?: RetriesDocument;
  readonly timeouts?: TimeoutsDocument;
  readonly circuitBreaker?: CircuitBreakerDocument;
  readonly stickySession?: StickySessionDocument;
}

export type RateLimitKeyDocument =
  | { readonly from: 'client-ip' | 'global' }
  | { readonly from: 'header'; readonly name: string; readonly whenMissing?: 'client-ip' | 'reject' };

export interface RateLimitDocument
  extends Written<Omit<RateLimitConfig, 'key'>, 'name' | 'overrides' | 'trustedProxies' | 'maxKeys'> {
  readonly key?: RateLimitKeyDocument;
}

export interface RouteDocument extends Omit<RouteConfig, 'rateLimit'> {
  readonly rateLimit?: RateLimitDocument;
}

export interface ListenerDocument extends Omit<ListenerConfig, 'routes' | 'rateLimit'> {
  readonly routes?: readonly RouteDocument[];
  readonly rateLimit?: RateLimitDocument;
}

/** A whole config as written. */
export interface ConfigDocument {
  readonly version: 1;
  readonly admin?: BalancerConfig['admin'];
  readonly listeners: readonly ListenerDocument[];
  readonly pools: Readonly<Record<string, PoolDocument>>;
}
