/**
 * The neutral config document (reference/schema/config.v1.schema.json) as the harness writes it for
 * the balancer under test.
 */
export interface ConfigDocument {
  readonly version: 1;
  readonly admin?: { readonly address: string };
  readonly listeners: readonly ListenerDocument[];
  readonly pools: Readonly<Record<string, PoolDocument>>;
}

export interface ListenerDocument {
  readonly name: string;
  readonly protocol: 'http' | 'tcp';
  readonly address: string;
  readonly pool: string;
}

export interface PoolDocument {
  readonly algorithm?: string;
  readonly backends: readonly { readonly id: string; readonly address: string; readonly weight?: number }[];
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
}

/** The settings of a pool besides its members, as a scenario states them. */
export type PoolSettings = Omit<PoolDocument, 'algorithm' | 'backends'>;

/** Schema defaults the harness needs to compute timing bounds (reference/schema/config.v1.schema.json). */
export const healthCheckDefaults = { intervalMs: 2_000, timeoutMs: 1_000 } as const;

/** Serialises a config the way it is written to disk; the balancer's configHash is over these bytes. */
export function serialiseConfig(config: ConfigDocument): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}
