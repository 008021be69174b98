import schema from '../../../schema/config.v1.schema.json' with { type: 'json' };
import type {
  CircuitBreakerConfig,
  HealthCheckConfig,
  ListenerTlsConfig,
  OutlierDetectionConfig,
  PoolConfig,
  RateLimitConfig,
  RetryConfig,
  StickySessionConfig,
  TimeoutConfig,
  TimeoutsDocument,
} from './types.ts';

/**
 * Every default of the config, read from the schema that documents them (its "default" keywords),
 * so that the reference, the harness's timing bounds and the product translations use one value.
 */
/** The "default" of each property of `properties` that has one. */
export function defaultsOf(properties: Readonly<Record<string, object>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(properties).flatMap(([name, property]) =>
      'default' in property ? [[name, property.default]] : [],
    ),
  );
}

const { $defs } = schema;
const poolProperties = $defs.pool.properties;

export const poolDefaults = defaultsOf(poolProperties) as Pick<
  PoolConfig,
  'algorithm' | 'panicThresholdPercent' | 'hashMethod' | 'http2'
> & { readonly timeouts: TimeoutsDocument };
export const backendDefaults = defaultsOf($defs.backend.properties) as {
  readonly weight: number;
  readonly drain: boolean;
};
export const healthCheckDefaults = defaultsOf($defs.healthCheck.properties) as unknown as HealthCheckConfig;
export const outlierDetectionDefaults = defaultsOf(
  $defs.outlierDetection.properties,
) as unknown as OutlierDetectionConfig;
export const timeoutDefaults = defaultsOf($defs.timeouts.properties) as unknown as TimeoutConfig;
export const circuitBreakerDefaults = defaultsOf(
  $defs.circuitBreaker.properties,
) as unknown as CircuitBreakerConfig;
/** The retry policy's defaults; "attempts" has none (it is required). */
export const retryDefaults = defaultsOf($defs.retries.properties) as unknown as Omit<
  RetryConfig,
  'attempts' | 'budget'
>;
export const retryBudgetDefaults = defaultsOf($defs.retries.properties.budget.properties) as {
  readonly minRetries: number;
};
export const stickySessionDefaults = defaultsOf(poolProperties.stickySession.properties) as unknown as Omit<
  StickySessionConfig,
  'secret' | 'maxAgeSeconds'
>;
const rateLimitKeyByHeader = $defs.rateLimit.properties.key.oneOf.find(
  (shape) => shape.properties.whenMissing !== undefined,
);
export const rateLimitDefaults = {
  ...(defaultsOf($defs.rateLimit.properties) as Pick<
    RateLimitConfig,
    'name' | 'maxKeys' | 'overrides' | 'trustedProxies'
  > & { readonly key: { readonly from: 'client-ip' } }),
  whenMissing: rateLimitKeyByHeader?.properties.whenMissing?.default as 'client-ip' | 'reject',
};
export const rateLimitStoreDefaults = defaultsOf(
  $defs.rateLimit.properties.store.properties,
) as unknown as Pick<NonNullable<RateLimitConfig['store']>, 'timeoutMs' | 'onFailure'>;
export const listenerTlsDefaults = defaultsOf($defs.listenerTls.properties) as unknown as Pick<
  ListenerTlsConfig,
  'minVersion'
>;
