import type { BalancerConfig, ListenerConfig, RateLimitConfig } from './config/types.ts';
import type { Defects } from './defects.ts';
import { compileRouter, type Router } from './l7/router.ts';
import { nameMatches } from './l7/tls-termination.ts';
import { UpstreamClients } from './l7/upstream-clients.ts';
import { LimitStores } from './limits/limit-stores.ts';
import type { RateLimiter } from './limits/rate-limiter.ts';
import { type OpenListener, openListener } from './listener.ts';
import type { ListenerContext } from './listener-context.ts';
import { assembleParts, type PartOverrides, type Parts } from './parts.ts';
import { buildPools, LoadCounters, type PoolRuntime } from './pools.ts';

/** Options for a running balancer. */
export interface BalancerOptions {
  /** Deliberate defects, for the broken balancers in fixtures/broken/ only. */
  readonly defects?: Defects;
  /** Parts replaced by a broken balancer of fixtures/broken/; the rest are the reference's. */
  readonly parts?: PartOverrides;
  /** Where health changes and other events are logged; default: nowhere. */
  readonly log?: (line: string) => void;
}

/** What the admin endpoint reports: the config being served and since when. */
export interface BalancerStatus {
  /** 1 for the config started with, +1 for each applied reload. */
  readonly epoch: number;
  /** sha256 (hex) of the config file's bytes, so a caller can tell its own config is live. */
  readonly configHash: string;
  readonly listeners: readonly { name: string; protocol: string; address: string; pool?: string }[];
  /** Each pool's backends with their health, ejection and in-flight count. */
  readonly pools: Readonly<Record<string, ReturnType<PoolRuntime['describe']>>>;
}

interface ServedConfig {
  readonly config: BalancerConfig;
  readonly configHash: string;
  readonly epoch: number;
  readonly pools: Map<string, PoolRuntime>;
  readonly routerOfListener: Map<string, Router>;
  /** Rate limiters by listener address: the listener's own and its routes' by route name. */
  readonly limitersOfListener: Map<string, ListenerLimiters>;
  /** Where the limiters keep their buckets. */
  readonly limitStores: LimitStores;
}

interface ListenerLimiters {
  readonly listener?: RateLimiter;
  readonly routes: Map<string, RateLimiter>;
}

/** The reference balancer: listeners over pools, reconfigurable while it runs. */
export class Balancer {
  readonly #clients: UpstreamClients;
  readonly #loads = new LoadCounters();
  readonly #listeners = new Map<string, OpenListener>();
  readonly #options: BalancerOptions;
  readonly #parts: Parts;
  #served: ServedConfig | undefined;

  readonly #context: ListenerContext;

  private constructor(options: BalancerOptions) {
    this.#options = options;
    this.#clients = new UpstreamClients(options.defects ?? {});
    this.#parts = assembleParts(options.parts);
    this.#context = {
      routeFor: (listenerAddress, request) => {
        const served = this.#served;
        const decision = served?.routerOfListener.get(listenerAddress)?.route(request);
        if (decision?.kind !== 'forward') return decision;
        const pool = served?.pools.get(decision.pool);
        return pool && { ...decision, pool };
      },
      poolForServerName: (listenerAddress, serverName) => {
        const served = this.#served;
        const listener = served?.config.listeners.find((candidate) => candidate.address === listenerAddress);
        const route =
          serverName === undefined
            ? undefined
            : listener?.sniRoutes?.find((candidate) =>
                candidate.serverNames.some((name) => nameMatches(name.toLowerCase(), serverName)),
              );
        const name = route?.pool ?? listener?.pool;
        return name === undefined ? undefined : served?.pools.get(name);
      },
      limitsFor: (listenerAddress, routed) => {
        const limits = this.#served?.limitersOfListener.get(listenerAddress);
        if (!limits) return [];
        const ofRoute = routed?.route === undefined ? undefined : limits.routes.get(routed.route);
        return [...(limits.listener ? [limits.listener] : []), ...(ofRoute ? [ofRoute] : [])];
      },
      clients: this.#clients,
      vetRequest: this.#parts.vetRequest,
      routingHost: this.#parts.routingHost,
      http2RequestHeaders: this.#parts.http2RequestHeaders,
      http2ConnectionReader: this.#parts.http2ConnectionReader,
      http2IdleSessions: this.#parts.http2IdleSessions,
      parseRefusalStatus: this.#parts.parseRefusalStatus,
      shapeUpstreamRequest: this.#parts.shapeUpstreamRequest,
      holdRequestBody: this.#parts.holdRequestBody,
      passAnswer: this.#parts.passAnswer,
      failureAnswers: this.#parts.failureAnswers,
      attemptChoices: this.#parts.attemptChoices,
      openLedger: this.#parts.openLedger,
      joinConnections: this.#parts.joinConnections,
      defects: options.defects ?? {},
    };
  }

  /** Binds every listener of `config`; on a bind failure, releases what was bound and rejects. */
  static async start(
    config: BalancerConfig,
    configHash: string,
    options: BalancerOptions = {},
  ): Promise<Balancer> {
    const balancer = new Balancer(options);
    await balancer.apply(config, configHash);
    return balancer;
  }

  // A reload starts every bucket in memory afresh (full): limits are about rates, and a reload is
  // rare. Buckets in a shared store are the fleet's, and stay.
  #limitersOf(listener: ListenerConfig, stores: LimitStores): ListenerLimiters {
    const make = (limit: RateLimitConfig) => this.#parts.rateLimiter(limit, stores.bucketsFor(limit));
    const routes = new Map<string, RateLimiter>();
    for (const route of listener.routes ?? [])
      if (route.rateLimit) routes.set(route.name, make(route.rateLimit));
    return { ...(listener.rateLimit ? { listener: make(listener.rateLimit) } : {}), routes };
  }

  /**
   * Serves `config` from now on: new listeners are bound first, and only if all bind does the new
   * state replace the old in one assignment; then removed listeners drain and close.
   */
  async apply(config: BalancerConfig, configHash: string): Promise<void> {
    const wanted = new Map(config.listeners.map((listener) => [listenerKey(listener), listener]));
    const log = this.#options.log ?? (() => {});
    const limitStores = await LimitStores.open(config, log, this.#served?.limitStores);
    const opened = new Map<string, OpenListener>();
    // A listener whose TLS or HTTP/2 is turned on or off is a new server on its old address: the
    // old one stops accepting first (its open connections drain as a removed listener's do), or the
    // new one could not bind beside it.
    const addresses = new Set(config.listeners.map((listener) => listener.address));
    const replaced = [...this.#listeners].filter(
      ([key, open]) => !wanted.has(key) && addresses.has(open.address),
    );
    for (const [key] of replaced) this.#listeners.delete(key);
    const draining = replaced.map(([, listener]) => listener.close(5_000));
    try {
      for (const [key, listener] of wanted) {
        if (!this.#listeners.has(key)) opened.set(key, await openListener(listener, this.#context));
      }
    } catch (error) {
      const served = this.#served?.limitStores;
      await Promise.all([
        ...[...opened.values()].map((listener) => listener.close(0)),
        limitStores.close(served),
      ]);
      throw error;
    }
    const previous = this.#served;
    this.#served = {
      config,
      configHash,
      epoch: (previous?.epoch ?? 0) + 1,
      pools: buildPools(config, { loads: this.#loads, parts: this.#parts, log }, previous?.pools),
      limitersOfListener: new Map(
        config.listeners.map(
          (listener) => [listener.address, this.#limitersOf(listener, limitStores)] as const,
        ),
      ),
      limitStores,
      routerOfListener: new Map(
        config.listeners.map((listener) => [
          listener.address,
          compileRouter(listener.routes ?? [], listener.pool, this.#parts.routeMatching),
        ]),
      ),
    };
    for (const pool of previous?.pools.values() ?? []) pool.close();
    void previous?.limitStores.close(limitStores);
    // A kept listener takes its new TLS settings: a certificate renewed by reload is served at once.
    if (!this.#options.defects?.tlsKeptOnReload) {
      for (const [key, listener] of wanted) this.#listeners.get(key)?.update(listener);
    }
    for (const [key, listener] of opened) this.#listeners.set(key, listener);
    const removed = [...this.#listeners].filter(([key]) => !wanted.has(key));
    for (const [key] of removed) this.#listeners.delete(key);
    await Promise.all([...draining, ...removed.map(([, listener]) => listener.close(5_000))]);
    const backendAddresses = new Set(
      Object.values(config.pools).flatMap((pool) => pool.backends.map((b) => b.address)),
    );
    if (this.#options.defects?.dropClientsOnReload) {
      for (const listener of this.#listeners.values()) listener.cutEveryConnection();
    }
    await this.#clients.retainOnly(backendAddresses, this.#options.defects?.cutInFlightOnReload);
  }

  /** The config served now. */
  status(): BalancerStatus {
    const served = this.#served as ServedConfig;
    return {
      epoch: served.epoch,
      configHash: served.configHash,
      listeners: served.config.listeners.map(({ name, protocol, address, pool }) => ({
        name,
        protocol,
        address,
        pool,
      })),
      pools: Object.fromEntries([...served.pools.values()].map((pool) => [pool.name, pool.describe()])),
    };
  }

  /** Stops accepting, lets in-flight exchanges finish for up to `drainMs`, then closes everything. */
  async close(drainMs: number): Promise<void> {
    const listeners = [...this.#listeners.values()];
    this.#listeners.clear();
    await Promise.all(listeners.map((listener) => listener.close(drainMs)));
    for (const pool of this.#served?.pools.values() ?? []) pool.close();
    await Promise.all([this.#clients.destroy(), this.#served?.limitStores.close()]);
  }
}

// A listener is rebound only when its address or protocol changes; a changed pool or name is a lookup.
// Terminating TLS or not is how a listener is opened: switching it opens the listener anew.
// What a kept listener cannot take by update(): turning TLS or HTTP/2 on or off opens it anew.
function listenerKey(listener: {
  protocol: string;
  address: string;
  tls?: unknown;
  http2?: boolean;
}): string {
  return `${listener.protocol}${listener.tls ? '+tls' : ''}${listener.http2 ? '+h2' : ''} ${listener.address}`;
}
