import type {
  BackendProtocol,
  BackendProvider,
  BackendStats,
  HealthLog,
  StartedBackend,
} from '../../harness/backends/provider.ts';
import { backendReuseSetting, selectBackendProvider } from '../../harness/backends/select.ts';
import { fillAcceptQueue, type Held, wallClockMs } from '../../harness/clients/traffic.ts';

// One backend provider per worker process, shared by its scenarios.
let workerProvider: BackendProvider | undefined;
const backendReuse = backendReuseSetting(process.env.LBSPEC_BACKEND_REUSE);

/** Stops the backends this worker kept for reuse (at the end of its scenarios). */
export async function releaseWorkerBackends(): Promise<void> {
  await workerProvider?.[Symbol.asyncDispose]();
}

/** The backends one scenario started, by id, in the order it started them. */
export class ScenarioBackends implements Iterable<[string, StartedBackend]> {
  readonly #providerName: string | undefined;
  readonly #byId = new Map<string, StartedBackend>();
  /** Connections that keep paused backends' accept queues full. */
  readonly #queueFillers: Held[] = [];

  constructor(providerName: string | undefined) {
    this.#providerName = providerName;
  }

  /** Where backends run (see backends/select.ts). */
  get provider(): BackendProvider {
    workerProvider ??= selectBackendProvider(this.#providerName);
    return workerProvider;
  }

  async start(protocol: BackendProtocol, ids: readonly string[]): Promise<void> {
    const duplicate = ids.find((id) => this.#byId.has(id));
    if (duplicate) throw new Error(`backend "${duplicate}" was already started in this scenario`);
    for (const backend of await this.provider.start(ids.map((id) => ({ id, protocol })))) {
      this.#byId.set(backend.id, backend);
    }
  }

  /** Backend `id`; throws naming those started when the scenario has none of that name. */
  get(id: string): StartedBackend {
    const backend = this.#byId.get(id);
    if (!backend)
      throw new Error(
        `no backend "${id}" in this scenario; started: ${[...this.keys()].join(', ') || 'none'}`,
      );
    return backend;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  get size(): number {
    return this.#byId.size;
  }

  keys(): IterableIterator<string> {
    return this.#byId.keys();
  }

  values(): IterableIterator<StartedBackend> {
    return this.#byId.values();
  }

  [Symbol.iterator](): IterableIterator<[string, StartedBackend]> {
    return this.#byId.entries();
  }

  /** Ids of the backends meant to be serving now. */
  runningIds(): Set<string> {
    return new Set([...this.values()].filter((backend) => backend.running).map((backend) => backend.id));
  }

  /** Applies `action` to every backend at once. */
  async every(action: (backend: StartedBackend) => Promise<unknown>): Promise<void> {
    await Promise.all([...this.values()].map(action));
  }

  /** Zeroes the counts of those running: readiness probes may have reached them. */
  /** When the backends' counts were last reset (wall clock, ms), if they were. */
  statsResetAtMs: number | undefined;

  async resetStats(): Promise<void> {
    await this.every(async (backend) => {
      if (backend.running) await backend.resetStats();
    });
    this.statsResetAtMs = wallClockMs();
  }

  /** Every backend's own count of requests (HTTP) or connections (TCP), by id. */
  async receivedCounts(ids: readonly string[] = [...this.keys()]): Promise<Map<string, number>> {
    return new Map(
      await Promise.all(ids.map(async (id) => [id, (await this.get(id).stats()).requests] as const)),
    );
  }

  /** Each backend's own counters (GET /stats), by id. */
  async statsOf(ids: readonly string[] = [...this.keys()]): Promise<Map<string, BackendStats>> {
    return new Map(await Promise.all(ids.map(async (id) => [id, await this.get(id).stats()] as const)));
  }

  /** The health checks each HTTP backend of `ids` saw since its counts were last reset, by id. */
  async healthLogs(ids: readonly string[] = [...this.keys()]): Promise<Map<string, HealthLog>> {
    const http = ids.filter((id) => this.get(id).protocol !== 'tcp');
    return new Map(await Promise.all(http.map(async (id) => [id, await this.get(id).healthLog()] as const)));
  }

  /** What backend `id` has in flight now: requests (HTTP) or open connections (TCP). */
  async inFlight(id: string): Promise<number> {
    const backend = this.get(id);
    const stats = await backend.stats();
    return backend.protocol === 'tcp' ? stats.activeConnections : stats.activeRequests;
  }

  /** The most backend `id` had in flight at once since its counts were last reset. */
  async peakInFlight(id: string): Promise<number> {
    const backend = this.get(id);
    const stats = await backend.stats();
    return backend.protocol === 'tcp' ? stats.peakConnections : stats.peakActiveRequests;
  }

  /** Pauses backend `id` and fills its accept queue: connecting to it now hangs. */
  async stopAccepting(id: string): Promise<void> {
    const backend = this.get(id);
    await backend.pause();
    this.#queueFillers.push(await fillAcceptQueue(backend.address));
  }

  /** "<request id> reached <backend>" for each of `requestIds` some backend's log shows arriving. */
  async arrivalsOf(requestIds: ReadonlySet<string>): Promise<string[]> {
    if (requestIds.size === 0) return [];
    const arrived: string[] = [];
    for (const backend of this.values()) {
      if (!backend.running) {
        throw new Error(`backend ${backend.id} is not running, so its log cannot show where requests went`);
      }
      for (const { requestId } of await backend.arrivals()) {
        if (requestId !== null && requestIds.has(requestId))
          arrived.push(`${requestId} reached ${backend.id}`);
      }
    }
    return arrived;
  }

  async evidence(): Promise<string[]> {
    return Promise.all([...this.values()].map((backend) => backend.evidence()));
  }

  /** Why any backend exited without being told to. */
  unexpectedExits(): string[] {
    return [...this.values()].flatMap((backend) => (backend.unexpectedExit ? [backend.unexpectedExit] : []));
  }

  /**
   * Gives the backends back to the provider, which keeps the unharmed ones for the next scenario of
   * this worker when `reuse` (and LBSPEC_BACKEND_REUSE is not "off").
   */
  async release(reuse: boolean): Promise<void> {
    for (const filler of this.#queueFillers.splice(0)) filler.release();
    const backends = [...this.values()];
    this.#byId.clear();
    await this.provider.release(backends, reuse && backendReuse);
  }
}
