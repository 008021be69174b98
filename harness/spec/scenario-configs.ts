/**
 * The configs a scenario hands the balancer under test, built from what the scenario states: pure
 * functions over plain data (addresses are allocated by the caller), so each shape is unit-tested.
 */
import type {
  Algorithm,
  ConfigDocument,
  ListenerDocument,
  PoolDocument,
  PoolSettings,
  RouteDocument,
} from './config-document.ts';

/** A backend in a pool, with its weight when the scenario sets one. */
export interface PoolMember {
  readonly id: string;
  readonly weight?: number;
}

/** Where a backend of the scenario listens (host:port), by its id. */
export type AddressOf = (id: string) => string;

/** The admin endpoint's part of a config. */
export type AdminDocument = ConfigDocument['admin'];

/** What the single-pool scenarios build on: the main pool, its members, and a backup pool if any. */
export interface PoolPlan {
  readonly algorithm: string;
  readonly members: readonly PoolMember[];
  readonly settings?: PoolSettings;
  /** Members of the backup pool the main pool falls back to; none means no backup pool. */
  readonly backupIds?: readonly string[];
}

/** One pool of `members` balanced by `algorithm`. */
export function poolOf(
  algorithm: string,
  members: readonly PoolMember[],
  addressOf: AddressOf,
): PoolDocument {
  return {
    // As the feature names it: the balancer under test, not the harness, judges a name it lacks.
    algorithm: algorithm as Algorithm,
    backends: members.map(({ id, weight }) => ({
      id,
      address: addressOf(id),
      ...(weight === undefined ? {} : { weight }),
    })),
  };
}

/** The pool named "main" with the plan's settings, and the "backup" pool it falls back to when planned. */
export function mainPools(plan: PoolPlan, addressOf: AddressOf): Record<string, PoolDocument> {
  const main: PoolDocument = { ...poolOf(plan.algorithm, plan.members, addressOf), ...plan.settings };
  const backupIds = plan.backupIds ?? [];
  if (backupIds.length === 0) return { main };
  return {
    main: { ...main, backupPool: 'backup' },
    backup: poolOf(
      'round_robin',
      backupIds.map((id) => ({ id })),
      addressOf,
    ),
  };
}

/** One listener named "main" over the main pool (and its backup), as most scenarios start. */
export function singlePoolConfig(
  listener: Pick<ListenerDocument, 'protocol' | 'address'> & Partial<ListenerDocument>,
  admin: AdminDocument,
  plan: PoolPlan,
  addressOf: AddressOf,
): ConfigDocument {
  return {
    version: 1,
    admin,
    listeners: [{ name: 'main', pool: 'main', ...listener }],
    pools: mainPools(plan, addressOf),
  };
}

/**
 * One listener (HTTP unless said) with `routes` or `sniRoutes` (and a default pool, when named); every backend gets a
 * round-robin pool of its own, named after it, for the routes to name.
 */
export function routedConfig(
  listener: {
    readonly address: string;
    readonly protocol?: 'http' | 'tcp';
    readonly routes?: unknown;
    readonly sniRoutes?: unknown;
    readonly pool?: string;
    readonly http2?: boolean;
    readonly tls?: ListenerDocument['tls'];
  },
  admin: AdminDocument,
  backendIds: readonly string[],
  addressOf: AddressOf,
): ConfigDocument {
  return {
    version: 1,
    admin,
    listeners: [
      {
        name: 'main',
        protocol: listener.protocol ?? 'http',
        address: listener.address,
        ...(listener.pool === undefined ? {} : { pool: listener.pool }),
        ...(listener.http2 === undefined ? {} : { http2: listener.http2 }),
        ...(listener.tls === undefined ? {} : { tls: listener.tls }),
        ...(listener.routes === undefined ? {} : { routes: listener.routes as RouteDocument[] }),
        ...(listener.sniRoutes === undefined
          ? {}
          : { sniRoutes: listener.sniRoutes as NonNullable<ListenerDocument['sniRoutes']> }),
      },
    ],
    pools: Object.fromEntries(backendIds.map((id) => [id, poolOf('round_robin', [{ id }], addressOf)])),
  };
}

/** The config's main pool; throws when it has none. */
export function mainPoolOf(config: ConfigDocument): PoolDocument {
  const pool = config.pools.main;
  if (!pool) throw new Error('the config has no pool named "main"');
  return pool;
}

/** The config's first listener, the one clients use; throws when it has none. */
export function firstListenerOf(config: ConfigDocument): ListenerDocument {
  const listener = config.listeners[0];
  if (!listener) throw new Error('the config has no listener');
  return listener;
}

/**
 * `config` plus a listener named `name` over a pool of its own, also named `name`, with the main
 * pool's algorithm and members and `settings`.
 */
export function withListener(
  config: ConfigDocument,
  name: string,
  address: string,
  settings: PoolSettings,
): ConfigDocument {
  const { algorithm, backends } = mainPoolOf(config);
  const listener: ListenerDocument = {
    name,
    protocol: firstListenerOf(config).protocol,
    address,
    pool: name,
  };
  return {
    ...config,
    listeners: [...config.listeners, listener],
    pools: { ...config.pools, [name]: { algorithm, backends, ...settings } },
  };
}

/** `config` with the main pool re-planned: new algorithm and members, its other settings kept. */
export function withMainPool(
  config: ConfigDocument,
  plan: Omit<PoolPlan, 'settings'>,
  addressOf: AddressOf,
): ConfigDocument {
  const { algorithm: _, backends: __, ...settings } = mainPoolOf(config);
  return { ...config, pools: mainPools({ ...plan, settings }, addressOf) };
}

/** `config` with the main pool's members changed by `change`. */
export function withPoolMembers(
  config: ConfigDocument,
  change: (backends: PoolDocument['backends']) => PoolDocument['backends'],
): ConfigDocument {
  const main = mainPoolOf(config);
  return { ...config, pools: { ...config.pools, main: { ...main, backends: change(main.backends) } } };
}

/** `config` with the first listener's routes replaced by `routes`. */
export function withRoutes(config: ConfigDocument, routes: readonly RouteDocument[]): ConfigDocument {
  const [first, ...rest] = config.listeners;
  if (!first) throw new Error('the config has no listener');
  return { ...config, listeners: [{ ...first, routes: [...routes] }, ...rest] };
}

/**
 * The same config for a second instance of the balancer: every listener, in order, on the next of
 * `listenerAddresses`, and the admin endpoint on `adminAddress` (without a token).
 */
export function onNewAddresses(
  config: ConfigDocument,
  listenerAddresses: readonly string[],
  adminAddress: string,
): ConfigDocument {
  if (listenerAddresses.length !== config.listeners.length) {
    throw new Error(
      `${config.listeners.length} listeners need as many addresses, got ${listenerAddresses.length}`,
    );
  }
  return {
    ...config,
    admin: { address: adminAddress },
    listeners: config.listeners.map((listener, index) => ({
      ...listener,
      address: listenerAddresses[index] as string,
    })),
  };
}
