/**
 * The neutral balancer config, version 1. Its shapes are generated from
 * schema/config.v1.schema.json (`npm run generate`, config-types.generated.ts): `...Config` types
 * are what `loadConfig` returns, every default filled in (defaults.ts reads them from the schema);
 * `...Document` types are the same config as written, where a field the schema gives a default
 * may be left out. The harness writes documents; the reference reads them. This module names the
 * parts the code refers to.
 */
import type {
  ListenerConfig,
  PoolConfig,
  PoolDocument,
  RateLimitConfig,
  RateLimitDocument,
  RetriesConfig,
  RouteConfig,
} from './config-types.generated.ts';

export type {
  BackendConfig,
  BackendDocument,
  BalancerConfig,
  CircuitBreakerConfig,
  CircuitBreakerDocument,
  ConfigDocument,
  HeaderRulesConfig as HeaderRules,
  HeaderRulesDocument,
  HealthCheckConfig,
  HealthCheckDocument,
  ListenerConfig,
  ListenerDocument,
  ListenerTlsConfig,
  ListenerTlsDocument,
  OutlierDetectionConfig,
  OutlierDetectionDocument,
  PoolConfig,
  PoolDocument,
  RateLimitConfig,
  RateLimitDocument,
  RetriesConfig as RetryConfig,
  RetriesDocument,
  RouteConfig,
  RouteDocument,
  TimeoutsConfig as TimeoutConfig,
  TimeoutsDocument,
  UpstreamTlsConfig,
  UpstreamTlsDocument,
} from './config-types.generated.ts';

export type ListenerProtocol = ListenerConfig['protocol'];
/** Defences against abusive clients; see the schema's "limits". Absent: off. */
export type ClientLimits = NonNullable<ListenerConfig['limits']>;

/** Balancing algorithms a pool may name. */
export type Algorithm = PoolConfig['algorithm'];
/** Where consistent_hash takes a request's key from. */
export type HashKey = NonNullable<PoolConfig['hashKey']>;
export type StickySessionConfig = NonNullable<PoolConfig['stickySession']>;
export type StickySessionDocument = NonNullable<PoolDocument['stickySession']>;

/** A failure a retry policy may name: a transport failure, or an HTTP status. */
export type RetryableFailure = RetriesConfig['retryOn'][number];
/** A failure a circuit breaker may count: a transport failure, any 5xx, or one status. */
export type BreakerFailure = NonNullable<PoolConfig['circuitBreaker']>['failureOn'][number];

type RouteMatch = RouteConfig['match'];
/** How a route matches a path; see the schema's "route". */
export type PathMatch = NonNullable<RouteMatch['path']>;
export type HeaderMatch = NonNullable<RouteMatch['headers']>[number];
export type QueryMatch = NonNullable<RouteMatch['query']>[number];
export type WeightedPool = NonNullable<RouteConfig['split']>[number];
export type RedirectConfig = NonNullable<RouteConfig['redirect']>;
export type RewriteConfig = NonNullable<RouteConfig['rewrite']>;

/** What a rate limit's buckets belong to. */
export type RateLimitKey = RateLimitConfig['key'];
export type RateLimitKeyDocument = NonNullable<RateLimitDocument['key']>;

/** A host and port, parsed from "host:port" or "[v6]:port". */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}
