import { type IWorldOptions, setWorldConstructor, World } from '@cucumber/cucumber';
import type { StartedBackend } from '../../harness/backends/provider.ts';
import type { ChangeMark } from '../../harness/checks/routing.ts';
import { wallClockMs } from '../../harness/clients/traffic.ts';
import { type Suggestion, suggestionText } from '../../harness/mistakes/diagnose.ts';
import { assertionMessage } from '../../harness/report/conformance.ts';
import type { ScenarioChart } from '../../harness/report/scenario-charts.ts';
import type { ConfigHandOver } from '../../harness/spec/config-capabilities.ts';
import type {
  ConfigDocument,
  ListenerDocument,
  ListenerProtocol,
  PoolDocument,
  PoolSettings,
} from '../../harness/spec/config-document.ts';
import {
  firstListenerOf,
  mainPoolOf,
  type PoolMember,
  routedConfig,
  singlePoolConfig,
  withListener,
  withMainPool,
} from '../../harness/spec/scenario-configs.ts';
import { checkTiming } from '../../harness/timing/health-timing.ts';
import { BalancerUnderTest, freeLoopbackAddress } from './balancer-under-test.ts';
import { RecordedCharts } from './recorded-charts.ts';
import { ScenarioBackends } from './scenario-backends.ts';
import { ScenarioTraffic } from './scenario-traffic.ts';

export { releaseWorkerBackends } from './scenario-backends.ts';
export type { PoolMember };

/** Set by a cucumber profile's worldParameters, e.g. { adapter: "command" }. */
export interface LbWorldParameters {
  readonly adapter?: string;
  /** "process" (default) or "container". */
  readonly backends?: string;
}

/**
 * One scenario: the balancer and backends it started, the traffic it sent, and the charts its checks
 * drew. State only one topic's steps use is declared beside them (see topic-state.ts).
 */
export class LbWorld extends World<LbWorldParameters> {
  readonly balancer: BalancerUnderTest;
  readonly backends: ScenarioBackends;
  readonly traffic = new ScenarioTraffic(() => ({ address: this.listenerAddress, protocol: this.protocol }));
  readonly charts = new RecordedCharts();
  /** Backends that make up the main pool's backup pool, when the scenario has one. */
  backupIds: readonly string[] = [];
  /** The last change the scenario made to its backends, and when. */
  lastChange: ChangeMark | undefined;
  /** The backends the traffic last settled on (initially: the whole pool). */
  routedTo: ReadonlySet<string> = new Set();
  /** What to undo when the scenario ends, before the balancer and backends stop. */
  readonly #cleanups: (() => void | Promise<void>)[] = [];

  constructor(options: IWorldOptions<LbWorldParameters>) {
    super(options);
    this.balancer = new BalancerUnderTest(options.parameters.adapter);
    this.backends = new ScenarioBackends(options.parameters.backends);
  }

  backend(id: string): StartedBackend {
    return this.backends.get(id);
  }

  /** The config the balancer runs now; throws when none was started. */
  get config(): ConfigDocument {
    return this.balancer.runningConfig;
  }

  /** The address clients connect to. */
  get listenerAddress(): string {
    return firstListenerOf(this.config).address;
  }

  get protocol(): ListenerProtocol {
    return this.balancer.config?.listeners[0]?.protocol ?? 'http';
  }

  /** The main pool as configured now. */
  get mainPool(): PoolDocument {
    return mainPoolOf(this.config);
  }

  /** The pool's members and weights (default 1), in config order. */
  get poolWeights(): Map<string, number> {
    return new Map(this.mainPool.backends.map((backend) => [backend.id, backend.weight ?? 1]));
  }

  /** The main pool's health-check interval and timeout, defaults applied. */
  get healthCheckTiming(): { intervalMs: number; timeoutMs: number } {
    const check = this.mainPool.healthCheck;
    if (!check) throw new Error("the scenario's pool has no healthCheck, so no check timing applies");
    return checkTiming(check);
  }

  readonly #addressOf = (id: string) => this.backend(id).address;

  /** Starts the balancer with one listener over one pool of `members`, in that order. */
  async startBalancer(
    protocol: ListenerProtocol,
    algorithm: string,
    members: readonly PoolMember[],
    settings: PoolSettings = {},
    listenerSettings: Partial<ListenerDocument> = {},
  ): Promise<void> {
    const listener = { protocol, address: await freeLoopbackAddress(), ...listenerSettings };
    const plan = { algorithm, members, settings, backupIds: this.backupIds };
    await this.#start(singlePoolConfig(listener, await this.balancer.admin(), plan, this.#addressOf));
    this.routedTo = new Set(members.map((member) => member.id));
  }

  /**
   * Starts the balancer with one HTTP listener whose routes (and default pool, if any) are
   * `listener`; every backend gets a pool of its own, named after it, for routes to name.
   */
  async startRoutedBalancer(listener: {
    readonly protocol?: 'http' | 'tcp';
    readonly routes?: unknown;
    readonly sniRoutes?: unknown;
    readonly pool?: string;
    readonly http2?: boolean;
    readonly tls?: ListenerDocument['tls'];
  }): Promise<void> {
    const where = { ...listener, address: await freeLoopbackAddress() };
    const ids = [...this.backends.keys()];
    await this.#start(routedConfig(where, await this.balancer.admin(), ids, this.#addressOf));
  }

  // Backend counts start from zero once a config is live: readiness probes may have reached them.
  async #start(config: ConfigDocument): Promise<void> {
    await this.balancer.start(config);
    await this.backends.resetStats();
  }

  /** Hands the running balancer `config`; returns once it serves it, backend counts from zero. */
  async reconfigure(config: ConfigDocument, handOver?: ConfigHandOver): Promise<void> {
    await this.balancer.reload(config, handOver);
    await this.backends.resetStats();
  }

  /** Adds a listener `name` over a pool of its own like the main pool but with `settings`. */
  async addListener(name: string, settings: PoolSettings): Promise<void> {
    await this.reconfigure(withListener(this.config, name, await freeLoopbackAddress(), settings));
  }

  /** Gives the running balancer's main pool `members` and `algorithm`. */
  async reconfigurePool(algorithm: string, members: readonly PoolMember[]): Promise<void> {
    const plan = { algorithm, members, backupIds: this.backupIds };
    await this.reconfigure(withMainPool(this.config, plan, this.#addressOf));
  }

  /** Makes a change to the backends and notes when it happened. */
  async change(what: string, makeChange: () => Promise<unknown>): Promise<void> {
    const beforeMs = wallClockMs();
    await makeChange();
    this.lastChange = { beforeMs, afterMs: wallClockMs(), what };
  }

  /** Runs `cleanup` when the scenario ends, however it ends, before the balancer stops. */
  onDispose(cleanup: () => void | Promise<void>): void {
    this.#cleanups.push(cleanup);
  }

  /**
   * Everything a failed scenario's report needs to be debugged without rerunning it, starting with
   * what failed (`failure`, the check's whole message) when there is one.
   */
  async evidence(failure?: string, likelyMistakes: readonly Suggestion[] = []): Promise<string> {
    const parts = failure === undefined ? [] : [`failed: ${assertionMessage(failure)}`];
    for (const suggestion of likelyMistakes) parts.push(`likely mistake: ${suggestionText(suggestion)}`);
    parts.push(await this.balancer.evidence(), ...(await this.backends.evidence()), this.traffic.describe());
    return parts.join('\n\n');
  }

  /** Problems no step checked: a balancer or backend that died on its own. */
  unexpectedExits(): string[] {
    const balancer = this.balancer.unexpectedExit;
    return [...this.backends.unexpectedExits(), ...(balancer === undefined ? [] : [balancer])];
  }

  /** The charts to attach: those the checks recorded, and the clients' requests over time. */
  chartsToAttach(): ScenarioChart[] {
    return this.charts.toAttach(this.traffic.exchanges);
  }

  /**
   * Stops what the scenario started. Its backends go back to the provider, which keeps the
   * unharmed ones for the next scenario of this worker when `reuseBackends`.
   */
  async dispose(reuseBackends: boolean): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0)) await cleanup();
    await this.balancer.dispose();
    await this.backends.release(reuseBackends);
  }
}

setWorldConstructor(LbWorld);
