import {
  type BalancerAdapter,
  BalancerStartError,
  type StartedBalancer,
} from '../../harness/adapters/adapter.ts';
import { selectAdapter } from '../../harness/adapters/select.ts';
import { wallClockMs } from '../../harness/clients/traffic.ts';
import { processTree } from '../../harness/processes/memory.ts';
import { PortAllocator } from '../../harness/processes/ports.ts';
import {
  type ConfigHandOver,
  UndeclaredCapabilityError,
  undeclaredRequirements,
} from '../../harness/spec/config-capabilities.ts';
import type { ConfigDocument } from '../../harness/spec/config-document.ts';
import { type AdminDocument, onNewAddresses } from '../../harness/spec/scenario-configs.ts';

// One adapter and port allocator per worker process, shared by its scenarios.
let workerAdapter: BalancerAdapter | undefined;
const ports = new PortAllocator();

/** A free loopback address for a listener or admin endpoint, held until the scenario ends. */
export async function freeLoopbackAddress(): Promise<string> {
  return `127.0.0.1:${await ports.allocate()}`;
}

const notStarted = 'no balancer was started in this scenario';

/** An instance of a fleet beyond the first, on addresses of its own. */
interface FleetInstance {
  readonly balancer: StartedBalancer;
  readonly listenerAddresses: readonly string[];
  readonly adminAddress: string;
}

/**
 * The balancer under test in one scenario: started, reloaded and restarted through the run's
 * adapter, each config first audited against the capabilities the scenario declares.
 */
export class BalancerUnderTest {
  readonly #adapterName: string | undefined;
  /** The capabilities the scenario's tags declare; every config handed over must need no others. */
  declared: ReadonlySet<string> = new Set();
  /** The token the admin endpoint is to require, when a scenario sets one. */
  adminToken: string | undefined;
  #started: StartedBalancer | undefined;
  /** When the running balancer came up (wall clock, ms), for the diagnosis of a failure. */
  #upSinceMs: number | undefined;
  #config: ConfigDocument | undefined;
  /** What a balancer that did not come up left behind, for the evidence. */
  #failedStart: string | undefined;
  /** Further instances of a fleet on the same pools, when a scenario starts them. */
  #others: FleetInstance[] = [];
  /** Instances a scenario killed: their exit is expected, their leftovers still to be cleared. */
  #killed: StartedBalancer[] = [];

  constructor(adapterName: string | undefined) {
    this.#adapterName = adapterName;
  }

  /** The balancer adapter of this run (see adapters/select.ts). */
  get adapter(): BalancerAdapter {
    workerAdapter ??= selectAdapter(this.#adapterName);
    return workerAdapter;
  }

  /** The running balancer, if one was started. */
  get started(): StartedBalancer | undefined {
    return this.#started;
  }

  /** The config it runs now, if one was started. */
  get config(): ConfigDocument | undefined {
    return this.#config;
  }

  /** The config it runs now; throws when no balancer was started. */
  get runningConfig(): ConfigDocument {
    if (!this.#config) throw new Error(notStarted);
    return this.#config;
  }

  /** The second instance's first listener, when one was started. */
  get secondListenerAddress(): string | undefined {
    return this.#others[0]?.listenerAddresses[0];
  }

  /** Every running instance's first listener: the first-started instance's, then the others' in order. */
  get fleetListenerAddresses(): string[] {
    const first = this.runningConfig.listeners[0]?.address as string;
    return [first, ...this.#others.map((instance) => instance.listenerAddresses[0] as string)];
  }

  /** The admin endpoint of a new config: a fresh address, and the scenario's token if any. */
  async admin(): Promise<AdminDocument> {
    const address = await freeLoopbackAddress();
    return this.adminToken === undefined ? { address } : { address, token: this.adminToken };
  }

  async start(config: ConfigDocument): Promise<void> {
    if (this.#started) throw new Error('a balancer was already started in this scenario');
    this.#started = await this.#launch(config);
    this.#config = config;
  }

  /**
   * Hands the running balancer `config`, and every other instance of the fleet the same config on
   * its own addresses; resolves once it is live everywhere.
   */
  async reload(config: ConfigDocument, handOver: ConfigHandOver = 'reload'): Promise<void> {
    const balancer = this.#started;
    if (!balancer) throw new Error(notStarted);
    this.#expectDeclared(config, handOver);
    this.#config = config;
    await Promise.all([
      balancer.reconfigure(config),
      ...this.#others.map(({ balancer: other, listenerAddresses, adminAddress }) =>
        other.reconfigure(onNewAddresses(config, listenerAddresses, adminAddress)),
      ),
    ]);
  }

  /** Stops the balancer and starts it again on the same config (same addresses). */
  async restart(): Promise<void> {
    const balancer = this.#started;
    if (!balancer) throw new Error(notStarted);
    await balancer.stop();
    this.#started = await this.#launch(this.runningConfig);
  }

  /**
   * Starts `count` more instances, each on a copy of the running config with listener and admin
   * addresses of its own, all at once: a fleet behind one address.
   */
  async startMore(count: number): Promise<void> {
    const config = this.runningConfig;
    const started = await Promise.allSettled(
      Array.from({ length: count }, async () => {
        const listenerAddresses = await Promise.all(config.listeners.map(() => freeLoopbackAddress()));
        const adminAddress = await freeLoopbackAddress();
        const balancer = await this.#launch(onNewAddresses(config, listenerAddresses, adminAddress));
        return { balancer, listenerAddresses, adminAddress };
      }),
    );
    for (const result of started) if (result.status === 'fulfilled') this.#others.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Kills the fleet's instance at `position` (2 for the second started) abruptly, as a crash or an
   * OOM kill would: SIGKILL to its whole process tree where this host sees it (a product's workers
   * would outlive their master otherwise), a stop where it does not (a container). Its listener
   * stays in no list; resolves once its processes are gone.
   */
  async killInstance(position: number): Promise<string> {
    const index = position - 2;
    const instance = this.#others[index];
    if (!instance)
      throw new Error(
        `the fleet has no instance ${position} to kill (instances 2 to ${this.#others.length + 1} can be)`,
      );
    this.#others.splice(index, 1);
    this.#killed.push(instance.balancer);
    const pid = instance.balancer.pid;
    if (pid !== undefined) for (const member of await processTree(pid)) killQuietly(member);
    await instance.balancer.stop();
    return instance.listenerAddresses[0] as string;
  }

  /**
   * Asks the running balancer to stop gracefully (its adapter's way) and resolves with how it
   * exited, once it has; never forces it.
   */
  stopGracefully(): Promise<string> {
    const balancer = this.#started;
    if (!balancer) throw new Error(notStarted);
    return balancer.stopGracefully();
  }

  /** Its evidence (every instance's, those killed too), or why there is none. */
  async evidence(): Promise<string> {
    if (this.#started) {
      const all = await Promise.all(
        [...this.#instances, ...this.#killed].map((instance) => instance.evidence()),
      );
      return all.join('\n\n');
    }
    return this.#failedStart === undefined
      ? 'balancer: not started'
      : `balancer: did not start\n${this.#failedStart}`;
  }

  /** Set when an instance exited without being told to. */
  get unexpectedExit(): string | undefined {
    return this.#instances.find((instance) => instance.unexpectedExit)?.unexpectedExit;
  }

  /** Every running instance: the first started, then the others of the fleet. */
  get #instances(): StartedBalancer[] {
    return [...(this.#started ? [this.#started] : []), ...this.#others.map(({ balancer }) => balancer)];
  }

  /** Stops every instance, then lets the scenario's ports go to the next scenario. */
  async dispose(): Promise<void> {
    const instances = [...this.#instances, ...this.#killed];
    this.#started = undefined;
    this.#others = [];
    this.#killed = [];
    for (const instance of instances) await instance[Symbol.asyncDispose]();
    ports.releaseAll();
  }

  /** When the running balancer last came up (wall clock, ms); undefined when none runs. */
  get upSinceMs(): number | undefined {
    return this.#started ? this.#upSinceMs : undefined;
  }

  async #launch(config: ConfigDocument): Promise<StartedBalancer> {
    this.#expectDeclared(config, 'start');
    try {
      const started = await this.adapter.start(config);
      this.#upSinceMs = wallClockMs();
      return started;
    } catch (error) {
      if (error instanceof BalancerStartError) this.#failedStart = error.evidence;
      throw error;
    }
  }

  #expectDeclared(config: ConfigDocument, handOver: ConfigHandOver): void {
    const missing = undeclaredRequirements(config, handOver, this.declared);
    if (missing.length > 0) throw new UndeclaredCapabilityError(missing);
  }
}

// A member may have exited between the listing and the signal.
function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
}
