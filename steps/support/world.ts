import { type IWorldOptions, setWorldConstructor, World } from '@cucumber/cucumber';
import {
  type BalancerAdapter,
  BalancerStartError,
  type StartedBalancer,
} from '../../harness/adapters/adapter.ts';
import { selectAdapter } from '../../harness/adapters/select.ts';
import type {
  Arrival,
  BackendProtocol,
  BackendProvider,
  StartedBackend,
} from '../../harness/backends/provider.ts';
import { backendReuseSetting, selectBackendProvider } from '../../harness/backends/select.ts';
import {
  type ChangeMark,
  expectNotSooner,
  expectSettledWithin,
  type RoutingGoal,
  sendUntilSettled,
} from '../../harness/checks/routing.ts';
import type { ShareCheck } from '../../harness/checks/statistics.ts';
import type { OpenConnection } from '../../harness/clients/abuse.ts';
import {
  type Exchange,
  fillAcceptQueue,
  type Held,
  holdOpen,
  type LoadShape,
  openClient,
  type RawAnswer,
  type RequestShape,
  rawHttpRequest,
  type SequentialClient,
  sendLoad,
  sendLoadFor,
  sendLoadWhile,
  sendMixedHttpRequests,
  sendSharedLoad,
  type TcpConversation,
  wallClockMs,
} from '../../harness/clients/traffic.ts';
import type { TransferOutcome } from '../../harness/clients/transfers.ts';
import type { MemoryGrowth } from '../../harness/processes/memory.ts';
import { PortAllocator } from '../../harness/processes/ports.ts';
import { assertionMessage } from '../../harness/report/conformance.ts';
import {
  requestsOverTimeChart,
  requestsPerBackendChart,
  type ScenarioChart,
  timelineChart,
} from '../../harness/report/scenario-charts.ts';
import {
  type ConfigHandOver,
  UndeclaredCapabilityError,
  undeclaredRequirements,
} from '../../harness/spec/config-capabilities.ts';
import {
  type Algorithm,
  type ConfigDocument,
  healthCheckDefaults,
  type ListenerDocument,
  type PoolDocument,
  type PoolSettings,
  type RouteDocument,
} from '../../harness/spec/config-document.ts';
import { timeouts } from '../../harness/timing/timeouts.ts';
import { pollUntil } from '../../harness/timing/waiting.ts';

/** Set by a cucumber profile's worldParameters, e.g. { adapter: "command" }. */
export interface LbWorldParameters {
  readonly adapter?: string;
  /** "process" (default) or "container". */
  readonly backends?: string;
}

// One adapter, backend provider and port allocator per worker process, shared by its scenarios.
let adapter: BalancerAdapter | undefined;
let backendProvider: BackendProvider | undefined;
const backendReuse = backendReuseSetting(process.env.LBSPEC_BACKEND_REUSE);

/** Stops the backends this worker kept for reuse (at the end of its scenarios). */
export async function releaseWorkerBackends(): Promise<void> {
  await backendProvider?.[Symbol.asyncDispose]();
}
const ports = new PortAllocator();

/** A backend in a pool, with its weight when the scenario sets one. */
export interface PoolMember {
  readonly id: string;
  readonly weight?: number;
}

/** The state of one scenario: the backends and balancer it started and the traffic it sent. */
export class LbWorld extends World<LbWorldParameters> {
  readonly backends = new Map<string, StartedBackend>();
  balancer: StartedBalancer | undefined;
  config: ConfigDocument | undefined;
  exchanges: Exchange[] = [];
  tcpConversation: (TcpConversation & { readonly sent: Buffer }) | undefined;
  /** Exchanges kept in flight on purpose, by the backend each landed on. */
  held: { readonly backendIds: readonly string[]; readonly handles: readonly Held[] } | undefined;
  /** Connections that keep paused backends' accept queues full. */
  readonly #queueFillers: Held[] = [];
  /** Backends that make up the main pool's backup pool, when the scenario has one. */
  backupIds: readonly string[] = [];
  /** The last change the scenario made to its backends, and when. */
  lastChange: ChangeMark | undefined;
  /** Index into `exchanges` where the traffic last settled: "after that" means from here. */
  settledIndex = 0;
  /** Index into `exchanges` where the last batch a step calls "those requests" began. */
  exchangesMark = 0;
  /** The last large body transfer, and how the balancer's memory grew meanwhile. */
  transfer: { readonly outcome: TransferOutcome; readonly memory: MemoryGrowth } | undefined;
  /** The last transfer, or an error saying none was made. */
  get lastTransfer(): { readonly outcome: TransferOutcome; readonly memory: MemoryGrowth } {
    if (!this.transfer) throw new Error('no upload or download was made in this scenario');
    return this.transfer;
  }
  /** Connections a client holds open on purpose (closed at the end of the scenario). */
  readonly heldConnections: OpenConnection[] = [];
  /** Charts of what the checks saw, attached to the report on failure (or always; see hooks.ts). */
  readonly charts: ScenarioChart[] = [];
  /** The backends the traffic last settled on (initially: the whole pool). */
  #routedTo: ReadonlySet<string> = new Set();

  constructor(options: IWorldOptions<LbWorldParameters>) {
    super(options);
  }

  /** The balancer adapter of this run (see adapters/select.ts). */
  get adapter(): BalancerAdapter {
    adapter ??= selectAdapter(this.parameters.adapter);
    return adapter;
  }

  /** The capabilities the scenario's tags declare; every config it hands over must need no others. */
  declaredCapabilities: ReadonlySet<string> = new Set();

  /** What a balancer that did not come up left behind, for the evidence. */
  #failedStart: string | undefined;

  // Starts the balancer under test on `config`, once the audit finds every need declared.
  async #start(config: ConfigDocument): Promise<StartedBalancer> {
    this.#expectDeclared(config, 'start');
    try {
      return await this.adapter.start(config);
    } catch (error) {
      if (error instanceof BalancerStartError) this.#failedStart = error.evidence;
      throw error;
    }
  }

  // Hands the running balancer `config`, once the audit finds every need declared.
  #reload(
    balancer: StartedBalancer,
    config: ConfigDocument,
    handOver: ConfigHandOver = 'reload',
  ): Promise<void> {
    this.#expectDeclared(config, handOver);
    return balancer.reconfigure(config);
  }

  #expectDeclared(config: ConfigDocument, handOver: ConfigHandOver): void {
    const missing = undeclaredRequirements(config, handOver, this.declaredCapabilities);
    if (missing.length > 0) throw new UndeclaredCapabilityError(missing);
  }

  /** Where backends run (see backends/select.ts). */
  get backendProvider(): BackendProvider {
    backendProvider ??= selectBackendProvider(this.parameters.backends);
    return backendProvider;
  }

  async startBackends(protocol: BackendProtocol, ids: readonly string[]): Promise<void> {
    const duplicate = ids.find((id) => this.backends.has(id));
    if (duplicate) throw new Error(`backend "${duplicate}" was already started in this scenario`);
    for (const backend of await this.backendProvider.start(ids.map((id) => ({ id, protocol })))) {
      this.backends.set(backend.id, backend);
    }
  }

  backend(id: string): StartedBackend {
    const backend = this.backends.get(id);
    if (!backend)
      throw new Error(
        `no backend "${id}" in this scenario; started: ${[...this.backends.keys()].join(', ') || 'none'}`,
      );
    return backend;
  }

  /** Starts the balancer with one listener over one pool of `ids`, in that order, then zeroes backend stats. */
  async startBalancer(
    protocol: BackendProtocol,
    algorithm: string,
    members: readonly PoolMember[],
    settings: PoolSettings = {},
    listenerSettings: Partial<ListenerDocument> = {},
  ): Promise<void> {
    if (this.balancer) throw new Error('a balancer was already started in this scenario');
    const listener: ListenerDocument = {
      name: 'main',
      protocol,
      address: `127.0.0.1:${await ports.allocate()}`,
      pool: 'main',
      ...listenerSettings,
    };
    this.config = {
      version: 1,
      admin: await this.#admin(),
      listeners: [listener],
      pools: this.#pools(algorithm, members, settings),
    };
    this.#routedTo = new Set(members.map((member) => member.id));
    this.balancer = await this.#start(this.config);
    await this.#resetBackendStats();
  }

  /**
   * Starts the balancer with one HTTP listener whose routes (and default pool, if any) are
   * `listener`; every backend gets a pool of its own, named after it, for routes to name.
   */
  async startRoutedBalancer(listener: { readonly routes?: unknown; readonly pool?: string }): Promise<void> {
    if (this.balancer) throw new Error('a balancer was already started in this scenario');
    const pools = Object.fromEntries(
      [...this.backends.keys()].map((id) => [id, this.#pool('round_robin', [{ id }])] as const),
    );
    this.config = {
      version: 1,
      admin: await this.#admin(),
      listeners: [
        {
          name: 'main',
          protocol: 'http',
          address: `127.0.0.1:${await ports.allocate()}`,
          ...(listener.pool === undefined ? {} : { pool: listener.pool }),
          ...(listener.routes === undefined ? {} : { routes: listener.routes as RouteDocument[] }),
        },
      ],
      pools,
    };
    this.balancer = await this.#start(this.config);
    await this.#resetBackendStats();
  }

  // The main pool with the scenario's settings, and its backup pool when the scenario has one.
  #pools(
    algorithm: string,
    members: readonly PoolMember[],
    settings: PoolSettings,
  ): Record<string, PoolDocument> {
    const main: PoolDocument = { ...this.#pool(algorithm, members), ...settings };
    if (this.backupIds.length === 0) return { main };
    return {
      main: { ...main, backupPool: 'backup' },
      backup: this.#pool(
        'round_robin',
        this.backupIds.map((id) => ({ id })),
      ),
    };
  }

  /** The main pool as configured now. */
  get mainPool(): PoolDocument {
    const pool = this.config?.pools.main;
    if (!pool) throw new Error('no balancer was started in this scenario');
    return pool;
  }

  /** The main pool's health-check interval and timeout, defaults applied. */
  get healthCheckTiming(): { intervalMs: number; timeoutMs: number } {
    const check = this.mainPool.healthCheck;
    if (!check) throw new Error("the scenario's pool has no healthCheck, so no check timing applies");
    return {
      intervalMs: check.intervalMs ?? healthCheckDefaults.intervalMs,
      timeoutMs: check.timeoutMs ?? healthCheckDefaults.timeoutMs,
    };
  }

  /** Makes a change to the backends and notes when it happened. */
  async change(what: string, makeChange: () => Promise<unknown>): Promise<void> {
    const beforeMs = wallClockMs();
    await makeChange();
    this.lastChange = { beforeMs, afterMs: wallClockMs(), what };
  }

  /**
   * Adds a listener named `name` over a pool of its own with the same backends as the main pool and
   * `settings`; returns once the balancer serves it.
   */
  async addListener(name: string, settings: PoolSettings): Promise<void> {
    if (!this.balancer || !this.config) throw new Error('no balancer was started in this scenario');
    const { algorithm, backends } = this.mainPool;
    const listener: ListenerDocument = {
      name,
      protocol: this.#protocol,
      address: `127.0.0.1:${await ports.allocate()}`,
      pool: name,
    };
    this.config = {
      ...this.config,
      listeners: [...this.config.listeners, listener],
      pools: { ...this.config.pools, [name]: { algorithm, backends, ...settings } },
    };
    await this.#reload(this.balancer, this.config);
    await this.#resetBackendStats();
  }

  /** Sends `count` requests one after another to the listener named `name`; returns what came back. */
  async sendThrough(name: string, count: number): Promise<Exchange[]> {
    const listener = this.config?.listeners.find((candidate) => candidate.name === name);
    if (!listener) throw new Error(`no listener "${name}" in this scenario`);
    return sendLoad(listener.address, listener.protocol, { clients: 1, perClient: count });
  }

  /** A client for one-after-another traffic on the listener. */
  openClient(request: RequestShape = {}): SequentialClient {
    return openClient(this.listenerAddress, this.#protocol, 0, request);
  }

  /**
   * Sends requests one after another until the traffic settles on `goal`; it must do so within
   * `boundMs` of the last change and, when `notSoonerMs` is given, reach backends that were not
   * in use before no sooner than that. Backend counts start from zero afterwards.
   */
  async settleOn(
    goal: RoutingGoal,
    bounds: { readonly withinMs: number; readonly notSoonerMs?: number; readonly explanation: string },
  ): Promise<void> {
    const mark = this.lastChange;
    if (!mark) throw new Error('the scenario made no change to wait for');
    const client = this.openClient();
    let settled: Awaited<ReturnType<typeof sendUntilSettled>>;
    try {
      settled = await sendUntilSettled(client, goal, bounds.withinMs * 2 + timeouts.timingSlackMs * 4);
    } finally {
      await client.close();
    }
    const { exchanges, settledIndex } = settled;
    const offset = this.exchanges.length;
    this.exchanges.push(...exchanges);
    this.settledIndex = offset + settledIndex;
    expectSettledWithin(exchanges[settledIndex] as Exchange, mark, bounds.withinMs, bounds.explanation);
    const target = goal.kind === 'backends' ? goal.ids : new Set<string>();
    if (bounds.notSoonerMs !== undefined) {
      const newcomers = new Set([...target].filter((id) => !this.#routedTo.has(id)));
      expectNotSooner(exchanges, newcomers, mark, bounds.notSoonerMs, bounds.explanation);
    }
    this.#routedTo = target;
    await this.#resetBackendStats();
  }

  /** A second balancer on the same pools (its own listener and admin addresses), when a scenario starts one. */
  secondBalancer: { readonly balancer: StartedBalancer; readonly listenerAddress: string } | undefined;

  /** Starts a second instance of the balancer under test on a copy of the config with new addresses. */
  async startSecondBalancer(): Promise<void> {
    if (!this.config) throw new Error('no balancer was started in this scenario');
    const listeners = await Promise.all(
      this.config.listeners.map(async (listener) => ({
        ...listener,
        address: `127.0.0.1:${await ports.allocate()}`,
      })),
    );
    const config = { ...this.config, admin: { address: `127.0.0.1:${await ports.allocate()}` }, listeners };
    const balancer = await this.#start(config);
    this.secondBalancer = { balancer, listenerAddress: (listeners[0] as { address: string }).address };
  }

  /** Stops the balancer and starts it again on the same config (same addresses). */
  async restartBalancer(): Promise<void> {
    if (!this.balancer || !this.config) throw new Error('no balancer was started in this scenario');
    await this.balancer.stop();
    this.balancer = await this.#start(this.config);
  }

  /** Gives the running balancer's pool `ids` and `algorithm`; returns once the balancer serves it. */
  async reconfigurePool(algorithm: string, members: readonly PoolMember[]): Promise<void> {
    if (!this.balancer || !this.config) throw new Error('no balancer was started in this scenario');
    const { algorithm: _, backends: __, ...settings } = this.mainPool;
    this.config = { ...this.config, pools: this.#pools(algorithm, members, settings) };
    await this.#reload(this.balancer, this.config);
    await this.#resetBackendStats();
  }

  #pool(algorithm: string, members: readonly PoolMember[]): PoolDocument {
    return {
      // As the feature names it: the balancer under test, not the harness, judges a name it lacks.
      algorithm: algorithm as Algorithm,
      backends: members.map(({ id, weight }) => ({
        id,
        address: this.backend(id).address,
        ...(weight === undefined ? {} : { weight }),
      })),
    };
  }

  /** The pool's members and weights (default 1), in config order. */
  get poolWeights(): Map<string, number> {
    const pool = this.config?.pools.main;
    if (!pool) throw new Error('no balancer was started in this scenario');
    return new Map(pool.backends.map((backend) => [backend.id, backend.weight ?? 1]));
  }

  get #protocol(): BackendProtocol {
    return this.config?.listeners[0]?.protocol ?? 'http';
  }

  /** What a backend has in flight now: requests (HTTP) or open connections (TCP). */
  async inFlight(id: string): Promise<number> {
    const stats = await this.backend(id).stats();
    return this.#protocol === 'tcp' ? stats.activeConnections : stats.activeRequests;
  }

  /** The most a backend had in flight at once since its counts were last reset. */
  async peakInFlight(id: string): Promise<number> {
    const stats = await this.backend(id).stats();
    return this.#protocol === 'tcp' ? stats.peakConnections : stats.peakActiveRequests;
  }

  /** Keeps `count` exchanges in flight (one after another, each placed before the next) and notes where they landed. */
  async holdOpen(count: number, holdMs: number): Promise<void> {
    const handles: Held[] = [];
    for (let placed = 1; placed <= count; placed++) {
      handles.push(...holdOpen(this.listenerAddress, this.#protocol, 1, holdMs));
      await this.#awaitInFlight((total) => total === placed, `${placed} held requests to reach the backends`);
    }
    const backendIds: string[] = [];
    for (const id of this.backends.keys()) {
      for (let i = await this.inFlight(id); i > 0; i--) backendIds.push(id);
    }
    this.held = { backendIds, handles };
    // The held requests were counted as received; what follows is counted from zero.
    await this.#resetBackendStats();
  }

  /** Waits until nothing is in flight, then zeroes backend counts and forgets earlier traffic. */
  async settleAndResetCounts(): Promise<void> {
    await this.#awaitInFlight((total) => total === 0, 'every request to finish');
    await this.#resetBackendStats();
    this.exchanges = [];
  }

  async #awaitInFlight(done: (total: number) => boolean, what: string): Promise<void> {
    await pollUntil(
      async () => {
        const counts = await Promise.all([...this.backends.keys()].map((id) => this.inFlight(id)));
        const total = counts.reduce((sum, count) => sum + count, 0);
        if (done(total)) return true;
        throw new Error(`in flight: ${counts.join(', ')}`);
      },
      { what, timeoutMs: timeouts.requestMs },
    );
  }

  async sendMixedTraffic(shape: LoadShape): Promise<void> {
    this.exchanges.push(...(await sendMixedHttpRequests(this.listenerAddress, shape)));
  }

  // Readiness probes may have reached backends; scenarios count from the moment a config is live.
  async #resetBackendStats(): Promise<void> {
    await Promise.all(
      [...this.backends.values()].filter((b) => b.running).map((backend) => backend.resetStats()),
    );
  }

  /** The address clients connect to. */
  get listenerAddress(): string {
    const listener = this.config?.listeners[0];
    if (!listener) throw new Error('no balancer was started in this scenario');
    return listener.address;
  }

  /** Sends requests (HTTP) or opens connections (TCP), by the listener's protocol. */
  async sendTraffic(shape: LoadShape, request: RequestShape = {}): Promise<void> {
    const startedAt = performance.now();
    this.exchanges.push(...(await sendLoad(this.listenerAddress, this.#protocol, shape, request)));
    this.lastTrafficMs = performance.now() - startedAt;
  }

  /**
   * `total` requests, one at a time, from `clients` clients that take turns, each on a connection
   * of its own (kept alive between its turns): with as many clients as requests, every request
   * comes on a new connection.
   */
  async sendInTurns(clients: number, total: number): Promise<void> {
    const turns = Array.from({ length: clients }, () => this.openClient());
    try {
      for (let seq = 0; seq < total; seq++) {
        this.exchanges.push(await (turns[seq % clients] as SequentialClient).exchange(seq));
      }
    } finally {
      await Promise.all(turns.map((client) => client.close()));
    }
  }

  /** `total` requests shared by `clients` concurrent clients (see sendSharedLoad). */
  async sendSharedTraffic(clients: number, total: number): Promise<void> {
    this.exchanges.push(...(await sendSharedLoad(this.listenerAddress, this.#protocol, clients, total)));
  }

  /** Keeps `clients` concurrent clients sending for `durationMs` (the load's length, not a wait). */
  /** Traffic running in the background while the scenario changes things, and when each change went live. */
  #continuous:
    | { readonly done: Promise<Exchange[]>; stop: () => void; readonly clients: number; sent: number }
    | undefined;
  readonly liveAt = new Map<string, number>();

  /** Starts `clients` clients sending requests one after another until stopContinuousTraffic(). */
  startContinuousTraffic(clients: number): void {
    if (this.#continuous) throw new Error('continuous traffic is already running');
    let going = true;
    const counted = { sent: 0 };
    const done = sendLoadWhile(
      this.listenerAddress,
      this.#protocol,
      clients,
      () => {
        if (going) counted.sent++;
        return going;
      },
      { retryOnIdleClose: true },
    );
    this.#continuous = Object.assign(counted, {
      clients,
      done,
      stop: () => {
        going = false;
      },
    });
  }

  /** Stops the background traffic and records its exchanges. */
  async stopContinuousTraffic(): Promise<void> {
    const continuous = this.#continuous;
    if (!continuous) throw new Error('no continuous traffic was started');
    this.#continuous = undefined;
    continuous.stop();
    this.exchanges.push(...(await continuous.done));
  }

  /** Applies `change` to the main pool's members and notes, under `label`, when it went live. */
  async changePoolMembers(
    label: string,
    change: (backends: PoolDocument['backends']) => PoolDocument['backends'],
  ): Promise<void> {
    if (!this.config) throw new Error('no balancer was started in this scenario');
    const main = this.mainPool;
    await this.#reconfigureUnderTraffic(label, {
      ...this.config,
      pools: { ...this.config.pools, main: { ...main, backends: change(main.backends) } },
    });
  }

  /** Gives the first listener `routes` and notes, under `label`, when they went live. */
  async changeRoutes(label: string, routes: readonly RouteDocument[]): Promise<void> {
    if (!this.config) throw new Error('no balancer was started in this scenario');
    const [first, ...rest] = this.config.listeners;
    if (!first) throw new Error('the balancer has no listener');
    await this.#reconfigureUnderTraffic(label, {
      ...this.config,
      listeners: [{ ...first, routes }, ...rest],
    });
  }

  // Serves `config` from now on; the continuous clients then send a few requests under it.
  async #reconfigureUnderTraffic(label: string, config: ConfigDocument): Promise<void> {
    if (!this.balancer) throw new Error('no balancer was started in this scenario');
    this.config = config;
    await this.#reload(this.balancer, this.config, this.#continuous ? 'reload-under-traffic' : 'reload');
    this.liveAt.set(label, wallClockMs());
    // Let every client send a few requests under the new membership before the next change.
    const continuous = this.#continuous;
    if (continuous) {
      const enough = continuous.sent + 4 * continuous.clients;
      await pollUntil(() => (continuous.sent >= enough ? true : undefined), {
        what: `${4 * continuous.clients} requests after "${label}"`,
        timeoutMs: timeouts.requestMs * 4,
      });
    }
  }

  async sendTrafficFor(clients: number, durationMs: number): Promise<void> {
    this.exchanges.push(...(await sendLoadFor(this.listenerAddress, this.#protocol, clients, durationMs)));
  }

  /** The last request written by hand, and what came back. */
  rawAnswer: RawAnswer | undefined;
  /** The headers of the last hand-written request, as sent. */
  rawRequestHeaders: readonly [string, string][] = [];

  /** Sends one request with exactly these headers (see rawHttpRequest). */
  async sendRawRequest(headers: readonly [string, string][], path = '/'): Promise<void> {
    this.rawRequestHeaders = headers;
    this.rawAnswer = await rawHttpRequest(this.listenerAddress, { headers, path });
  }

  /** The headers of the answer to the last hand-written request (lowercased names). */
  get answerHeaders(): Readonly<Record<string, string>> {
    if (!this.rawAnswer) throw new Error('no request was written by hand in this scenario');
    return this.rawAnswer.headers;
  }

  /** The request headers the backend reported receiving for the last hand-written request (lowercased names). */
  get headersTheBackendReceived(): Readonly<Record<string, string | string[]>> {
    return this.backendEcho.headers;
  }

  /** What the backend reported receiving for the last hand-written request. */
  get backendEcho(): { headers: Record<string, string | string[]>; url: string } {
    const answer = this.rawAnswer;
    if (!answer) throw new Error('no request was written by hand in this scenario');
    try {
      return JSON.parse(answer.body) as { headers: Record<string, string | string[]>; url: string };
    } catch {
      throw new Error(
        `the answer is not a backend's echo: HTTP ${answer.status} ${JSON.stringify(answer.body.slice(0, 200))}`,
      );
    }
  }

  /** How long the last sendTraffic took from first request to last answer. */
  lastTrafficMs = 0;

  /** Applies `action` to every backend of the scenario at once. */
  async everyBackend(action: (backend: StartedBackend) => Promise<unknown>): Promise<void> {
    await Promise.all([...this.backends.values()].map(action));
  }

  /**
   * Sends requests one after another, recording them, until `done` says so after an exchange;
   * fails naming `what` if that takes longer than `timeoutMs`.
   */
  async sendUntil(
    done: (latest: Exchange, sent: readonly Exchange[]) => Promise<boolean> | boolean,
    what: string,
    timeoutMs: number,
  ): Promise<void> {
    const client = this.openClient();
    const sent: Exchange[] = [];
    const deadline = performance.now() + timeoutMs;
    try {
      for (let seq = 0; ; seq++) {
        const latest = await client.exchange(seq);
        sent.push(latest);
        this.exchanges.push(latest);
        if (await done(latest, sent)) return;
        if (performance.now() > deadline) {
          throw new Error(
            `timed out after ${timeoutMs} ms and ${sent.length} requests waiting until ${what}`,
          );
        }
      }
    } finally {
      await client.close();
    }
  }

  /** Pauses backend `id` and fills its accept queue: connecting to it now hangs. */
  async stopAccepting(id: string): Promise<void> {
    const backend = this.backend(id);
    await backend.pause();
    this.#queueFillers.push(await fillAcceptQueue(backend.address));
  }

  /** Kills backend `id` once a tenth of the load was answered, while the load goes on. */
  async killDuringTraffic(id: string, shape: LoadShape): Promise<void> {
    const traffic = this.sendTraffic(shape);
    const total = shape.clients * shape.perClient;
    await pollUntil(
      async () => {
        const counts = await this.receivedCounts([...this.runningBackendIds()]);
        const received = [...counts.values()].reduce((sum, count) => sum + count, 0);
        return received >= total / 10 ? true : undefined;
      },
      { what: `a tenth of ${total} requests to reach the backends`, timeoutMs: timeouts.requestMs },
    );
    await this.change(`backend ${id} was killed under load`, () => this.backend(id).kill());
    await traffic;
  }

  /** Every backend's own count of requests (HTTP) or connections (TCP), by id. */
  async receivedCounts(ids: readonly string[] = [...this.backends.keys()]): Promise<Map<string, number>> {
    const stats = await Promise.all(
      ids.map(async (id) => [id, (await this.backend(id).stats()).requests] as const),
    );
    return new Map(stats);
  }

  /**
   * The requests sent again after a keep-alive connection closed (see ClientManners) whose first
   * attempt reached a backend after all: the balancer forwarded them and then dropped the answer.
   */
  async firstAttemptsThatArrived(): Promise<string[]> {
    const retried = new Set(
      this.exchanges.flatMap((exchange) => (exchange.firstAttempt ? [exchange.firstAttempt.requestId] : [])),
    );
    if (retried.size === 0) return [];
    const arrived: string[] = [];
    for (const backend of this.backends.values()) {
      if (!backend.running) {
        throw new Error(
          `backend ${backend.id} is not running, so its log cannot show where retried requests went`,
        );
      }
      for (const { requestId } of await backend.arrivals()) {
        if (requestId !== null && retried.has(requestId)) arrived.push(`${requestId} reached ${backend.id}`);
      }
    }
    return arrived;
  }

  /** Ids of the backends meant to be serving now. */
  runningBackendIds(): Set<string> {
    return new Set(
      [...this.backends.values()].filter((backend) => backend.running).map((backend) => backend.id),
    );
  }

  /**
   * Everything a failed scenario's report needs to be debugged without rerunning it, starting with
   * what failed (`failure`, the check's whole message) when there is one.
   */
  async evidence(failure?: string): Promise<string> {
    const parts = failure === undefined ? [] : [`failed: ${assertionMessage(failure)}`];
    if (this.balancer) parts.push(await this.balancer.evidence());
    else
      parts.push(
        this.#failedStart === undefined
          ? 'balancer: not started'
          : `balancer: did not start\n${this.#failedStart}`,
      );
    for (const backend of this.backends.values()) parts.push(await backend.evidence());
    const log = this.exchanges.map(
      (exchange) =>
        `client ${exchange.client} #${exchange.seq}: ${exchange.error ? `error ${exchange.error}` : (exchange.note ?? exchange.backendId)}${exchange.firstAttempt ? ` (sent again: the first attempt got ${exchange.firstAttempt.error})` : ''}`,
    );
    parts.push(`client log (${log.length} exchanges):\n${log.slice(0, 500).join('\n')}`);
    return parts.join('\n\n');
  }

  /** Records each backend's count against its share and the interval it had to fall in. */
  chartShares(check: ShareCheck): void {
    this.charts.push(
      requestsPerBackendChart(check.rows, `exact binomial, false-failure probability ${check.falseFailure}`),
    );
  }

  /** Records each backend's count against the exact number it had to receive. */
  chartExactCounts(counts: ReadonlyMap<string, number>, expected: number): void {
    const rows = [...counts].map(([id, count]) => ({ id, count, expected, low: expected, high: expected }));
    this.charts.push(requestsPerBackendChart(rows, `exactly ${expected}`));
  }

  /** Records when backend `id` received requests, against what the clients saw of the breaker. */
  chartBreakerTimeline(id: string, arrivals: readonly Arrival[]): void {
    const sent = (keep: (exchange: Exchange) => boolean) =>
      this.exchanges.filter(keep).map((exchange) => exchange.sentAtMs);
    const breaker = (exchange: Exchange) => exchange.headers?.['x-circuit-breaker'];
    const chart = timelineChart(
      'circuit-breaker.svg',
      `Circuit breaker: what reached ${id}, and what clients got`,
      [
        { name: `arrived at ${id}`, atMs: arrivals.map((arrival) => arrival.atMs) },
        { name: 'answered', atMs: sent((e) => e.status !== undefined && e.status < 500) },
        { name: 'failed', atMs: sent((e) => (e.status === undefined || e.status >= 500) && !breaker(e)) },
        { name: 'refused: open', atMs: sent((e) => breaker(e) === 'open') },
        { name: 'refused: overloaded', atMs: sent((e) => breaker(e) === 'overloaded') },
      ],
    );
    if (chart) this.charts.push(chart);
  }

  /** The token the balancer's admin endpoint is to require, when a scenario sets one. */
  adminToken: string | undefined;
  /** How many times the scenario has changed the routes. */
  routeChanges = 0;
  /** Why the balancer refused the last config it was offered. */
  refusal: string | undefined;

  async #admin(): Promise<{ address: string; token?: string }> {
    const address = `127.0.0.1:${await ports.allocate()}`;
    return this.adminToken === undefined ? { address } : { address, token: this.adminToken };
  }

  /** The charts to attach: those the checks recorded, and the clients' requests over time. */
  chartsToAttach(): ScenarioChart[] {
    const overTime = requestsOverTimeChart(this.exchanges);
    return overTime ? [...this.charts, overTime] : [...this.charts];
  }

  /** Problems no step checked: a balancer or backend that died on its own. */
  unexpectedExits(): string[] {
    const problems = [...this.backends.values()].map((backend) => backend.unexpectedExit);
    problems.push(this.balancer?.unexpectedExit);
    return problems.filter((problem): problem is string => problem !== undefined);
  }

  /** Stops everything the scenario started; safe to call twice. */
  /**
   * Stops what the scenario started. Its backends go back to the provider, which keeps the
   * unharmed ones for the next scenario of this worker when `reuseBackends` (and LBSPEC_BACKEND_REUSE
   * is not "off").
   */
  async dispose(reuseBackends: boolean): Promise<void> {
    for (const connection of this.heldConnections.splice(0)) connection.socket.destroy();
    for (const handle of this.held?.handles ?? []) handle.release();
    for (const filler of this.#queueFillers.splice(0)) filler.release();
    this.held = undefined;
    const balancer = this.balancer;
    this.balancer = undefined;
    await balancer?.[Symbol.asyncDispose]();
    const second = this.secondBalancer;
    this.secondBalancer = undefined;
    await second?.balancer[Symbol.asyncDispose]();
    const backends = [...this.backends.values()];
    this.backends.clear();
    await this.backendProvider.release(backends, reuseBackends && backendReuse);
    // The balancer has stopped, so its listener and admin ports can go to the next scenario or run.
    ports.releaseAll();
  }
}

setWorldConstructor(LbWorld);
