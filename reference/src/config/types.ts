/**
 * The neutral balancer config, version 1, after defaults are applied. The JSON Schema in
 * reference/schema/config.v1.schema.json is the authority on the raw document; these types describe
 * what `loadConfig` returns.
 */

export type ListenerProtocol = 'http' | 'tcp';

/** Balancing algorithms a pool may name. Default: round_robin. */
export type Algorithm =
  | 'round_robin'
  | 'weighted_round_robin'
  | 'least_connections'
  | 'power_of_two_choices'
  | 'random';

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
}

export interface PoolConfig {
  readonly name: string;
  readonly algorithm: Algorithm;
  readonly backends: readonly BackendConfig[];
}

export interface ListenerConfig {
  readonly name: string;
  readonly protocol: ListenerProtocol;
  readonly address: string;
  readonly pool: string;
}

export interface BalancerConfig {
  readonly version: 1;
  readonly admin?: { readonly address: string };
  readonly listeners: readonly ListenerConfig[];
  readonly pools: Readonly<Record<string, PoolConfig>>;
}
