import schema from '../../reference/schema/config.v1.schema.json' with { type: 'json' };

/**
 * The neutral config document (reference/schema/config.v1.schema.json) as the harness writes it for
 * the balancer under test.
 */
export interface ConfigDocument {
  readonly version: 1;
  readonly admin?: { readonly address: string; readonly token?: string };
  readonly listeners: readonly ListenerDocument[];
  readonly pools: Readonly<Record<string, PoolDocument>>;
}

export interface ListenerDocument {
  readonly name: string;
  readonly protocol: 'http' | 'tcp';
  readonly address: string;
  /** With routes, the pool for requests no route matches (absent: 404). */
  readonly pool?: string;
  /** Content-based routes (the schema's "route"); adapters that do not route never see them. */
  readonly routes?: readonly RouteDocument[];
  readonly rateLimit?: RateLimitDocument;
  readonly limits?: {
    readonly maxConnectionsPerClient?: number;
    readonly headerTimeoutMs?: number;
    readonly requestTimeoutMs?: number;
    readonly maxHeaderBytes?: number;
    readonly maxBodyBytes?: number;
    readonly idleTimeoutMs?: number;
  };
}

/** A token bucket per key (the schema's "rateLimit"). */
export interface RateLimitDocument {
  readonly name?: string;
  readonly key?:
    | { readonly from: 'client-ip' | 'global' }
    | { readonly from: 'header'; readonly name: string; readonly whenMissing?: 'client-ip' | 'reject' };
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly overrides?: readonly {
    readonly key: string;
    readonly capacity: number;
    readonly refillPerSecond: number;
  }[];
  readonly trustedProxies?: readonly string[];
  readonly maxKeys?: number;
}

/** Header changes: remove, then set, then add. */
export interface HeaderRulesDocument {
  readonly remove?: readonly string[];
  readonly set?: Readonly<Record<string, string>>;
  readonly add?: Readonly<Record<string, string>>;
}

/** One route: what it matches and exactly one of pool, split or redirect. */
export interface RouteDocument {
  readonly name: string;
  readonly match: {
    readonly host?: string;
    readonly path?: { readonly exact: string } | { readonly prefix: string } | { readonly pattern: string };
    readonly method?: readonly string[];
    readonly headers?: readonly ({ readonly name: string } & (
      | { readonly exact: string }
      | { readonly present: true }
      | { readonly regex: string }
    ))[];
    readonly query?: readonly ({ readonly name: string } & (
      | { readonly exact: string }
      | { readonly present: true }
    ))[];
  };
  readonly pool?: string;
  readonly split?: readonly { readonly pool: string; readonly weight: number }[];
  readonly redirect?: {
    readonly status: number;
    readonly scheme?: string;
    readonly host?: string;
    readonly port?: number;
    readonly path?: string;
    readonly prefix?: string;
  };
  readonly rewrite?: { readonly path?: string; readonly prefix?: string; readonly host?: string };
  readonly requestHeaders?: HeaderRulesDocument;
  readonly responseHeaders?: HeaderRulesDocument;
  readonly rateLimit?: RateLimitDocument;
}

export interface PoolDocument {
  readonly algorithm?: string;
  readonly backends: readonly {
    readonly id: string;
    readonly address: string;
    readonly weight?: number;
    readonly drain?: boolean;
  }[];
  readonly healthCheck?: {
    readonly type?: 'http' | 'tcp';
    readonly path?: string;
    readonly expectedStatuses?: readonly number[];
    readonly intervalMs?: number;
    readonly timeoutMs?: number;
    readonly healthyThreshold?: number;
    readonly unhealthyThreshold?: number;
    readonly initialState?: 'healthy' | 'unhealthy';
  };
  readonly outlierDetection?: {
    readonly consecutiveFailures?: number;
    readonly baseEjectionMs?: number;
    readonly maxEjectionMs?: number;
    readonly maxEjectionPercent?: number;
  };
  readonly retries?: {
    readonly attempts: number;
    readonly retryOn?: readonly ('connect-failure' | 'reset' | 'timeout' | number)[];
    readonly baseIntervalMs?: number;
    readonly maxIntervalMs?: number;
    readonly retryNonIdempotent?: boolean;
    readonly budget?: { readonly percent: number; readonly minRetries?: number };
  };
  readonly timeouts?: { readonly connectMs?: number; readonly responseMs?: number };
  readonly panicThresholdPercent?: number;
  readonly backupPool?: string;
  readonly stickySession?: {
    readonly cookie?: string;
    readonly secret: string;
    readonly path?: string;
    readonly httpOnly?: boolean;
    readonly sameSite?: 'Strict' | 'Lax' | 'None';
    readonly maxAgeSeconds?: number;
  };
  readonly hashKey?:
    | { readonly from: 'header' | 'cookie' | 'query'; readonly name: string }
    | { readonly from: 'client-ip' | 'path' };
  readonly hashBalanceFactor?: number;
  readonly hashMethod?: 'ring' | 'maglev';
}

/** The settings of a pool besides its members, as a scenario states them. */
export type PoolSettings = Omit<PoolDocument, 'algorithm' | 'backends'>;

/** Schema defaults the harness needs to compute timing bounds (reference/schema/config.v1.schema.json). */
const healthCheckSchema = schema.$defs.healthCheck.properties;
export const healthCheckDefaults = {
  intervalMs: healthCheckSchema.intervalMs.default,
  timeoutMs: healthCheckSchema.timeoutMs.default,
  healthyThreshold: healthCheckSchema.healthyThreshold.default,
  unhealthyThreshold: healthCheckSchema.unhealthyThreshold.default,
  path: healthCheckSchema.path.default,
  expectedStatuses: healthCheckSchema.expectedStatuses.default as readonly number[],
};

const stickySchema = schema.$defs.pool.properties.stickySession.properties;
/** The sticky cookie's schema defaults, for translations that must write them out. */
export const stickySessionDefaults = {
  cookie: stickySchema.cookie.default,
  path: stickySchema.path.default,
  httpOnly: stickySchema.httpOnly.default,
  sameSite: stickySchema.sameSite.default,
};

/** Serialises a config the way it is written to disk; the balancer's configHash is over these bytes. */
export function serialiseConfig(config: ConfigDocument): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** A listener that balances over one pool, without routes. */
export type PlainListener = ListenerDocument & { readonly pool: string };

/** The config's listeners, for a translation that expresses no routes: throws naming `product` otherwise. */
export function plainListeners(config: ConfigDocument, product: string): PlainListener[] {
  return config.listeners.map((listener) => {
    if (listener.routes !== undefined || listener.pool === undefined) {
      throw new Error(
        `${product} adapter: listener "${listener.name}" has routes, which it does not translate`,
      );
    }
    return listener as PlainListener;
  });
}
