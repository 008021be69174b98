import { parseAddress } from './config/address.ts';
import type { Algorithm, BalancerConfig } from './config/types.ts';
import { type Selector, type SelectorBuilder, selectorBuilders } from './selection/selector.ts';

/** Requests (HTTP) or connections (TCP) in flight to one backend address. */
export interface Load {
  active: number;
}

/** One backend as the data path sees it. */
export interface Upstream {
  readonly id: string;
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  /** Shared by every snapshot that has this address, so a reload keeps counting what is in flight. */
  readonly load: Load;
}

/**
 * Load counters by backend address. They outlive pool snapshots: a request that started before a
 * reload ends after it, and must be taken off the counter the new selector reads.
 */
export class LoadCounters {
  readonly #byAddress = new Map<string, Load>();

  for(address: string): Load {
    let load = this.#byAddress.get(address);
    if (!load) {
      load = { active: 0 };
      this.#byAddress.set(address, load);
    }
    return load;
  }
}

/** A pool's backends and the selector built over them, published together and never patched. */
export interface RuntimePool {
  readonly name: string;
  readonly upstreams: readonly Upstream[];
  readonly selector: Selector<Upstream>;
}

/** Algorithms replaced by the caller; the broken balancers in fixtures/ use this to inject defects. */
export type SelectorOverrides = Partial<Record<Algorithm, SelectorBuilder>>;

/** Builds every pool of a config; the result replaces the previous pools in one assignment. */
export function buildPools(
  config: BalancerConfig,
  loads: LoadCounters,
  overrides: SelectorOverrides = {},
): Map<string, RuntimePool> {
  const pools = new Map<string, RuntimePool>();
  for (const pool of Object.values(config.pools)) {
    const upstreams = pool.backends.map((backend): Upstream => {
      // The config was validated, so every address parses.
      const { host, port } = parseAddress(backend.address) as { host: string; port: number };
      return {
        id: backend.id,
        address: backend.address,
        host,
        port,
        weight: backend.weight,
        load: loads.for(backend.address),
      };
    });
    const build = overrides[pool.algorithm] ?? selectorBuilders[pool.algorithm];
    pools.set(pool.name, { name: pool.name, upstreams, selector: build(upstreams) });
  }
  return pools;
}
