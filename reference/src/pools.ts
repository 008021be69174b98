import { type Clock, monotonicClock } from './clock.ts';
import { parseAddress } from './config/address.ts';
import type { Algorithm, BalancerConfig, BreakerFailure, HashKey, PoolConfig } from './config/types.ts';
import { ActiveChecker } from './health/active-checker.ts';
import { HealthState } from './health/health-state.ts';
import { OutlierDetector } from './health/outlier-detector.ts';
import { affinityToken } from './l7/affinity.ts';
import {
  CircuitBreaker,
  type CircuitBreakerSettings,
  type CircuitState,
} from './resilience/circuit-breaker.ts';
import { RetryBudget } from './resilience/retry-budget.ts';
import { type FailedAttempt, mayRetry } from './resilience/retry-policy.ts';
import { selectorBuilders } from './selection/builders.ts';
import { Load } from './selection/load.ts';
import type { Selector, SelectorBuilder } from './selection/selector.ts';

/** One backend as the data path sees it. */
export interface Upstream {
  readonly id: string;
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  /** Takes no new requests (config "drain"). */
  readonly drain?: boolean;
  /** Shared by every snapshot that has this address, so a reload keeps counting what is in flight. */
  readonly load: Load;
  /** The pool it belongs to, which keeps its health. */
  readonly pool: PoolRuntime;
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
      load = new Load();
      this.#byAddress.set(address, load);
    }
    return load;
  }
}

/** How one attempt at a backend ended: an answer with its status, or a transport failure. */
export type AttemptOutcome =
  | { readonly status: number }
  | { readonly connected: true }
  | { readonly failure: 'connect-failure' | 'reset' | 'timeout' };

/** Why a pool could offer no backend: every breaker open, every backend at its cap, or none available. */
export type Unavailability = 'circuit-open' | 'overloaded' | 'no-backend';

/** A request's key by the pool's hashKey setting (consistent_hash); undefined when it has none. */
export type KeyOf = (hashKey: HashKey) => string | undefined;

/** The parts a pool is made of that a broken balancer may replace (see parts.ts). */
export interface PoolParts {
  /** The selection algorithms, by name. */
  readonly selectors: Readonly<Record<Algorithm, SelectorBuilder>>;
  /** The affinity cookie's value that names a backend (stickySession). */
  readonly affinityToken: typeof affinityToken;
  /** A backend's circuit breaker. */
  readonly circuitBreaker: (settings: CircuitBreakerSettings, clock: Clock) => CircuitBreaker;
}

/** The reference's pool parts. */
export const referencePoolParts: PoolParts = {
  selectors: selectorBuilders,
  affinityToken,
  circuitBreaker: (settings, clock) => new CircuitBreaker(settings, clock),
};

/** What a pool needs from the balancer around it. */
export interface PoolEnvironment {
  readonly loads: LoadCounters;
  readonly parts: PoolParts;
  /** The pool of that name in the same config (for backupPool). */
  readonly poolNamed: (name: string) => PoolRuntime | undefined;
  readonly log: (line: string) => void;
  readonly clock?: Clock;
}

/**
 * One configured pool while it is served: its backends, their health (active checks and passive
 * ejection), and the selector over the backends available now. Whenever availability changes, a
 * new selector is built over the available backends and published in one assignment.
 */
export class PoolRuntime {
  readonly name: string;
  readonly config: PoolConfig;
  readonly upstreams: readonly Upstream[];
  /** Caps retries (retries.budget); undefined when uncapped. */
  readonly retryBudget: RetryBudget | undefined;
  readonly #environment: PoolEnvironment;
  readonly #clock: Clock;
  readonly #build: SelectorBuilder;
  readonly #health = new Map<Upstream, HealthState>();
  readonly #outliers: OutlierDetector | undefined;
  readonly #breakers = new Map<Upstream, CircuitBreaker>();
  readonly #checker: ActiveChecker<Upstream> | undefined;
  readonly #timers = new Set<NodeJS.Timeout>();
  #available: readonly Upstream[] = [];
  #selector: Selector<Upstream> | undefined;
  #panicking = false;
  /** Each backend by its affinity token (stickySession), and back. */
  readonly #byToken = new Map<string, Upstream>();
  readonly #tokenOf = new Map<Upstream, string>();

  /** Builds the pool; health states of a `previous` pool with the same checks carry over by address. */
  constructor(config: PoolConfig, environment: PoolEnvironment, previous?: PoolRuntime) {
    this.name = config.name;
    this.config = config;
    this.#environment = environment;
    this.#clock = environment.clock ?? monotonicClock;
    this.#build = environment.parts.selectors[config.algorithm];
    this.upstreams = config.backends.map((backend): Upstream => {
      // The config was validated, so every address parses.
      const { host, port } = parseAddress(backend.address) as { host: string; port: number };
      return { ...backend, host, port, load: environment.loads.for(backend.address), pool: this };
    });
    if (config.stickySession) {
      for (const upstream of this.upstreams) {
        const token = environment.parts.affinityToken(config.stickySession.secret, this.name, upstream);
        this.#byToken.set(token, upstream);
        this.#tokenOf.set(upstream, token);
      }
    }
    const check = config.healthCheck;
    if (check) {
      const sameChecks = JSON.stringify(previous?.config.healthCheck) === JSON.stringify(check);
      for (const upstream of this.upstreams) {
        const carried = sameChecks ? previous?.healthOf(upstream.address) : undefined;
        this.#health.set(upstream, carried ?? new HealthState(check, check.initialState === 'healthy'));
      }
    }
    this.#outliers = config.outlierDetection
      ? new OutlierDetector(config.outlierDetection, this.upstreams.length, this.#clock)
      : undefined;
    this.retryBudget = config.retries?.budget
      ? new RetryBudget(config.retries.budget, this.#clock)
      : undefined;
    if (config.circuitBreaker) {
      for (const upstream of this.upstreams) {
        this.#breakers.set(upstream, environment.parts.circuitBreaker(config.circuitBreaker, this.#clock));
      }
    }
    this.#republish();
    this.#checker = check
      ? new ActiveChecker(
          this.upstreams,
          check,
          (upstream, result) => {
            if (!this.#health.get(upstream)?.observe(result.passed)) return;
            const state = result.passed ? 'healthy' : 'unhealthy';
            environment.log(`pool "${this.name}": backend "${upstream.id}" is ${state} (${result.detail})`);
            this.#republish();
          },
          { tls: config.tls, http2: config.http2 },
        )
      : undefined;
  }

  /** The active-check state of the backend at `address`, if this pool checks it. */
  healthOf(address: string): HealthState | undefined {
    for (const [upstream, state] of this.#health) if (upstream.address === address) return state;
    return undefined;
  }

  /**
   * The backend for the next attempt, preferring one not in `tried` and skipping those at their
   * concurrency cap; falls over to the backup pool while none of this pool's backends is available.
   * Undefined when nothing may be chosen (see `unavailability`).
   */
  pick(tried?: ReadonlySet<Upstream>, keyOf?: KeyOf): Upstream | undefined {
    const selector = this.#selector;
    if (!selector) return this.#backup()?.pick(tried, keyOf);
    const hashKey = this.config.hashKey;
    const key = hashKey && keyOf ? keyOf(hashKey) : undefined;
    let alreadyTried: Upstream | undefined;
    for (let i = 0; i < this.#available.length; i++) {
      const next = selector.pick({ key, attempt: i });
      if (next === undefined) break;
      if (this.#atCap(next)) continue;
      if (tried?.has(next)) {
        alreadyTried ??= next;
        continue;
      }
      return this.#admit(next);
    }
    return alreadyTried === undefined ? undefined : this.#admit(alreadyTried);
  }

  /**
   * The backend a client's affinity token names, when it is one of this pool's, available, not yet
   * tried and below its concurrency cap; otherwise undefined, and the request is balanced as usual.
   */
  pinned(token: string | undefined, tried?: ReadonlySet<Upstream>): Upstream | undefined {
    const upstream = token === undefined ? undefined : this.#byToken.get(token);
    if (!upstream || tried?.has(upstream) || this.#atCap(upstream)) return undefined;
    if (!this.#available.includes(upstream)) return undefined;
    return this.#admit(upstream);
  }

  /** The affinity token of `upstream` (stickySession); undefined without stickySession. */
  tokenOf(upstream: Upstream): string | undefined {
    return this.#tokenOf.get(upstream);
  }

  /** Why `pick` found nothing; no side effects. */
  get unavailability(): Unavailability {
    if (this.#available.length > 0 && this.#available.every((upstream) => this.#atCap(upstream))) {
      return 'overloaded';
    }
    const breakers = [...this.#breakers.values()];
    if (breakers.length > 0 && breakers.some((breaker) => !breaker.admits)) return 'circuit-open';
    return 'no-backend';
  }

  #atCap(upstream: Upstream): boolean {
    const cap = this.config.circuitBreaker?.maxConcurrentRequests;
    return cap !== undefined && upstream.load.active >= cap;
  }

  // A half-open breaker counts its trials as they are sent; the last one takes its backend out.
  #admit(upstream: Upstream): Upstream {
    if (this.#breakers.get(upstream)?.admit()) this.#republish();
    return upstream;
  }

  /** Whether any backend (here or in the backup pool) may be chosen now; no side effects. */
  get hasAvailable(): boolean {
    return this.#selector !== undefined || (this.#backup()?.hasAvailable ?? false);
  }

  /**
   * Whether a failed attempt is retried: the pool's retry policy allows it, and the retry budget
   * (when there is one) grants it, which spends one retry from the budget.
   */
  takeRetry(attempt: FailedAttempt): boolean {
    return mayRetry(this.config.retries, attempt) && (this.retryBudget?.tryRetry() ?? true);
  }

  /** One attempt's outcome at `upstream`, for passive health and its circuit breaker. */
  recordOutcome(upstream: Upstream, outcome: AttemptOutcome): void {
    const succeeded = 'connected' in outcome || ('status' in outcome && outcome.status < 500);
    const ejectedUntil = this.#outliers?.record(upstream.address, succeeded);
    if (ejectedUntil !== undefined) {
      const ms = Math.round(ejectedUntil - this.#clock());
      this.#environment.log(`pool "${this.name}": backend "${upstream.id}" ejected for ${ms} ms`);
      this.#republish();
      this.#republishIn(ms + 1, `backend "${upstream.id}" back from ejection`);
    }
    const breaker = this.#breakers.get(upstream);
    const failureOn = this.config.circuitBreaker?.failureOn ?? [];
    const changed = breaker?.record(!countsAsFailure(outcome, failureOn));
    if (changed === undefined || !breaker) return;
    const openUntil = breaker.openUntil;
    const forMs = openUntil === undefined ? 0 : Math.round(openUntil - this.#clock());
    this.#environment.log(
      `pool "${this.name}": backend "${upstream.id}" circuit ${changed}${changed === 'open' ? ` for ${forMs} ms` : ''}`,
    );
    this.#republish();
    if (changed === 'open') this.#republishIn(forMs + 1, `backend "${upstream.id}" circuit half-open`);
  }

  // Availability that changes with time alone (an ejection or an open breaker ending) is republished by a timer.
  #republishIn(ms: number, what: string): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#environment.log(`pool "${this.name}": ${what}`);
      this.#republish();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  /** Whole seconds (at least 1) until a backend may be available again, for Retry-After. */
  retryAfterSeconds(): number {
    const now = this.#clock();
    const waits = this.upstreams.map((upstream) => {
      const openUntil = this.#breakers.get(upstream)?.openUntil;
      if (openUntil !== undefined) return openUntil - now;
      const ejectionEnd = this.#outliers?.ejectionEnd(upstream.address);
      if (ejectionEnd !== undefined) return ejectionEnd - now;
      const check = this.config.healthCheck;
      return check ? check.healthyThreshold * check.intervalMs : 1_000;
    });
    return Math.max(1, Math.ceil(Math.min(...waits) / 1_000));
  }

  /** Each backend with its state, for the admin API. */
  describe(): {
    id: string;
    address: string;
    healthy: boolean;
    ejected: boolean;
    circuit: CircuitState;
    inFlight: number;
  }[] {
    return this.upstreams.map((upstream) => ({
      id: upstream.id,
      address: upstream.address,
      healthy: this.#health.get(upstream)?.healthy ?? true,
      ejected: this.#outliers?.isEjected(upstream.address) ?? false,
      circuit: this.#breakers.get(upstream)?.state ?? 'closed',
      inFlight: upstream.load.active,
    }));
  }

  /** Stops health checks and ejection timers. */
  close(): void {
    this.#selector?.close?.();
    this.#checker?.stop();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #backup(): PoolRuntime | undefined {
    const name = this.config.backupPool;
    return name === undefined ? undefined : this.#environment.poolNamed(name);
  }

  // Available: healthy and not ejected. Below the panic threshold every backend is used instead,
  // unless a backup pool stands in for an empty pool.
  #republish(): void {
    // A draining backend is out of service for new requests whatever its health, panic included.
    const inService = this.upstreams.filter((upstream) => !upstream.drain);
    const available = inService.filter(
      (upstream) =>
        (this.#health.get(upstream)?.healthy ?? true) && !this.#outliers?.isEjected(upstream.address),
    );
    const threshold = this.config.panicThresholdPercent;
    const standIn = available.length === 0 && this.config.backupPool !== undefined;
    const panicking = !standIn && available.length * 100 < threshold * inService.length;
    if (panicking !== this.#panicking) {
      this.#environment.log(
        `pool "${this.name}": ${panicking ? `panic, ${available.length} of ${inService.length} backends available (threshold ${threshold}%): using all` : 'panic over'}`,
      );
      this.#panicking = panicking;
    }
    // An open breaker is a hard stop, panic or not.
    const chosen = (panicking ? inService : available).filter(
      (upstream) => this.#breakers.get(upstream)?.admits ?? true,
    );
    this.#available = chosen;
    this.#selector?.close?.();
    this.#selector =
      chosen.length === 0
        ? undefined
        : this.#build(chosen, undefined, {
            hashBalanceFactor: this.config.hashBalanceFactor,
            hashMethod: this.config.hashMethod,
          });
  }
}

function countsAsFailure(outcome: AttemptOutcome, failureOn: readonly BreakerFailure[]): boolean {
  if ('failure' in outcome) return failureOn.includes(outcome.failure);
  if ('connected' in outcome) return false;
  return (outcome.status >= 500 && failureOn.includes('5xx')) || failureOn.includes(outcome.status);
}

/** Builds every pool of a config; the result replaces the previous pools in one assignment. */
export function buildPools(
  config: BalancerConfig,
  environment: Omit<PoolEnvironment, 'poolNamed'>,
  previous?: ReadonlyMap<string, PoolRuntime>,
): Map<string, PoolRuntime> {
  const pools = new Map<string, PoolRuntime>();
  const poolNamed = (name: string) => pools.get(name);
  for (const pool of Object.values(config.pools)) {
    pools.set(pool.name, new PoolRuntime(pool, { ...environment, poolNamed }, previous?.get(pool.name)));
  }
  return pools;
}
