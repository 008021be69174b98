import { request } from 'undici';
import { describeExit, type Runner } from '../processes/runner.ts';
import { timeouts } from '../timing/timeouts.ts';
import { type CertifiedKey, testPki } from '../tls/test-pki.ts';
import type {
  Arrival,
  BackendProtocol,
  BackendProvider,
  BackendSpec,
  BackendStats,
  CancelledCall,
  HealthLog,
  StartedBackend,
} from './provider.ts';

/** Starts one fixture backend (fixtures/backend/server.ts) listening on the given ports ("0": any). */
export type BackendLauncher = (
  spec: BackendSpec,
  ports: { port: string; controlPort: string },
) => Promise<Runner>;

// Every HTTPS backend of this process serves the same certificate, for the names a client of
// a loopback backend may ask for.
let backendCertificate: Promise<CertifiedKey> | undefined;

/**
 * The arguments of fixtures/backend/server.ts for a spec and ports; an HTTPS backend's certificate
 * and key go as text (test keys of this run's CA alone, so their being visible to ps is harmless).
 */
export async function backendArguments(
  spec: BackendSpec,
  ports: { port: string; controlPort: string },
): Promise<string[]> {
  const common = [
    '--id',
    spec.id,
    '--mode',
    spec.protocol,
    '--port',
    ports.port,
    '--control-port',
    ports.controlPort,
  ];
  if (spec.protocol !== 'https') return common;
  backendCertificate ??= testPki().then((pki) => pki.leaf(['localhost', '127.0.0.1']));
  const { certificatePem, keyPem } = await backendCertificate;
  return [...common, `--certificate=${certificatePem}`, `--key=${keyPem}`];
}

// Most scenarios use two to five backends; a worker keeps no more than this many spare per protocol.
const maxSparePerProtocol = 8;

/**
 * A provider whose backends are started by `launch`, all in parallel, all or none. Backends given
 * back unharmed wait for the next start in this process: a process start costs about 90 ms of CPU,
 * a reset one request.
 */
export function runnerBackendProvider(name: string, launch: BackendLauncher): BackendProvider {
  const spare: Record<BackendProtocol, RunnerBackend[]> = { http: [], https: [], tcp: [], grpc: [] };
  // Handed out and not given back yet: disposing the provider stops these too, so a test or
  // scenario that failed before giving its backends back leaves no process behind.
  const lent = new Set<StartedBackend>();

  async function startOne(spec: BackendSpec): Promise<RunnerBackend> {
    for (let kept = spare[spec.protocol].pop(); kept; kept = spare[spec.protocol].pop()) {
      const reused = await kept.startAnewAs(spec).catch(async () => {
        await kept[Symbol.asyncDispose]();
        return undefined;
      });
      if (reused) return reused;
    }
    return RunnerBackend.start(spec, launch);
  }

  return {
    name,
    async start(specs) {
      const results = await Promise.allSettled(specs.map(startOne));
      const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) {
        await Promise.all(started.map((backend) => backend[Symbol.asyncDispose]()));
        throw failure.reason;
      }
      for (const backend of started) lent.add(backend);
      return started;
    },
    async release(backends, reuse) {
      const stopping: PromiseLike<void>[] = [];
      for (const backend of backends) {
        lent.delete(backend);
        const kept = spare[backend.protocol];
        if (
          reuse &&
          backend instanceof RunnerBackend &&
          backend.reusable &&
          kept.length < maxSparePerProtocol
        ) {
          kept.push(backend);
        } else {
          stopping.push(backend[Symbol.asyncDispose]());
        }
      }
      await Promise.all(stopping);
    },
    async [Symbol.asyncDispose]() {
      const kept: StartedBackend[] = [
        ...Object.values(spare).flatMap((backends) => backends.splice(0)),
        ...lent,
      ];
      lent.clear();
      await Promise.all(kept.map((backend) => backend[Symbol.asyncDispose]()));
    },
  };
}

interface Endpoints {
  readonly address: string;
  readonly controlAddress: string;
}

/** A fixture backend run by a Runner (process or container), steered through its control API. */
class RunnerBackend implements StartedBackend {
  #runner: Runner;
  #endpoints: Endpoints;
  #running = true;
  #intended = true;
  /** Never stopped, killed, paused or restarted: a reset makes it as good as new. */
  #unharmed = true;
  /** Handed on to a later scenario under a new RunnerBackend: this one must do nothing more. */
  #handedOn = false;
  /** Where this scenario's part of the process's output starts (a reused process ran others before). */
  readonly #outputFrom: number;

  private constructor(
    readonly spec: BackendSpec,
    readonly launch: BackendLauncher,
    started: { runner: Runner; endpoints: Endpoints },
  ) {
    this.#runner = started.runner;
    this.#endpoints = started.endpoints;
    this.#outputFrom = started.runner.outputWritten;
  }

  static async start(spec: BackendSpec, launch: BackendLauncher): Promise<RunnerBackend> {
    return new RunnerBackend(
      spec,
      launch,
      await launchListening(spec, launch, { port: '0', controlPort: '0' }),
    );
  }

  /**
   * The same process as new, for `spec`: reset (behaviour, counts, log, open connections cut) and
   * renamed. A new object, so that whatever still holds this one cannot steer the next scenario's.
   */
  async startAnewAs(spec: BackendSpec): Promise<RunnerBackend> {
    if (this.#runner.exitStatus) throw new Error(`backend "${this.id}" has exited`);
    await this.#control('POST', '/reset', { id: spec.id });
    this.#handedOn = true;
    return new RunnerBackend(spec, this.launch, { runner: this.#runner, endpoints: this.#endpoints });
  }

  /**
   * Whether it may be kept for another scenario: not a gRPC one, whose server cannot cut the
   * connections a reset should (a later scenario's balancer would find them open).
   */
  get reusable(): boolean {
    return this.#unharmed && !this.#handedOn && !this.#runner.exitStatus && this.protocol !== 'grpc';
  }

  get id(): string {
    return this.spec.id;
  }

  get protocol() {
    return this.spec.protocol;
  }

  get address(): string {
    return this.#endpoints.address;
  }

  get running(): boolean {
    return this.#running;
  }

  get unexpectedExit(): string | undefined {
    const status = this.#runner.exitStatus;
    return status && this.#intended
      ? `backend "${this.id}" exited unexpectedly (${describeExit(status)})`
      : undefined;
  }

  async stats(): Promise<BackendStats> {
    return (await this.#control('GET', '/stats')) as BackendStats;
  }

  async arrivals(): Promise<readonly Arrival[]> {
    const log = (await this.#control('GET', '/log')) as { arrivals: Arrival[]; droppedArrivals: number };
    if (log.droppedArrivals > 0) {
      throw new Error(
        `backend "${this.id}" logged only its first ${log.arrivals.length} arrivals and dropped ${log.droppedArrivals}; send fewer requests to it between resets`,
      );
    }
    return log.arrivals;
  }

  async cancelledCalls(): Promise<readonly CancelledCall[]> {
    return ((await this.#control('GET', '/log')) as { cancelledCalls: CancelledCall[] }).cancelledCalls;
  }

  async healthLog(): Promise<HealthLog> {
    return ((await this.#control('GET', '/log')) as { health: HealthLog }).health;
  }

  async resetStats(): Promise<void> {
    await this.#control('POST', '/reset-stats');
  }

  async setBehaviour(update: Record<string, unknown>): Promise<void> {
    await this.#control('PUT', '/behaviour', update);
  }

  async serveCertificate({ certificatePem, keyPem }: CertifiedKey): Promise<void> {
    if (this.protocol !== 'https') throw new Error(`backend "${this.id}" is ${this.protocol}, not https`);
    await this.#control('PUT', '/certificate', { certificate: certificatePem, key: keyPem });
  }

  async stop(): Promise<void> {
    this.#harm('stop');
    this.#markDown();
    await this.#runner.stop();
  }

  async kill(): Promise<void> {
    this.#harm('kill');
    this.#markDown();
    await this.#runner.kill();
  }

  async pause(): Promise<void> {
    this.#harm('pause');
    this.#running = false;
    await this.#runner.pause();
  }

  async resume(): Promise<void> {
    this.#harm('resume');
    await this.#runner.resume();
    this.#running = true;
  }

  async restart(): Promise<void> {
    this.#harm('restart');
    if (!this.#runner.exitStatus) await this.stop();
    const port = (address: string) => address.slice(address.lastIndexOf(':') + 1);
    const started = await launchListening(this.spec, this.launch, {
      port: port(this.#endpoints.address),
      controlPort: port(this.#endpoints.controlAddress),
    });
    this.#runner = started.runner;
    this.#endpoints = started.endpoints;
    this.#running = true;
    this.#intended = true;
  }

  async evidence(): Promise<string> {
    let stats = '(not reachable)';
    if (!this.#runner.exitStatus) {
      stats = await this.stats().then(
        (value) => JSON.stringify(value),
        (error: Error) => `(unreadable: ${error.message})`,
      );
    }
    // A reused process's earlier output speaks of the scenarios (and the ids) it served before.
    const output = this.#runner.output(this.#outputFrom);
    const reused = this.#outputFrom > 0 ? ' (a reused process: its output in this scenario)' : '';
    const pid = this.#runner.pid === undefined ? '' : ` pid=${this.#runner.pid}`;
    return `backend "${this.id}" ${this.spec.protocol} ${this.address}${pid} running=${this.#running} stats=${stats}${reused}\n${output}`;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#handedOn) return; // the scenario it went to stops it
    this.#markDown();
    await this.#runner.stop();
  }

  #markDown(): void {
    this.#running = false;
    this.#intended = false;
  }

  /** Notes a change a reset cannot undo; refuses it once the process belongs to a later scenario. */
  #harm(action: string): void {
    this.#refuseIfHandedOn(action);
    this.#unharmed = false;
  }

  #refuseIfHandedOn(action: string): void {
    if (this.#handedOn)
      throw new Error(`backend "${this.id}" was given back after its scenario and cannot ${action} now`);
  }

  async #control(method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<unknown> {
    this.#refuseIfHandedOn(`${method} ${path}`);
    const response = await request(`http://${this.#endpoints.controlAddress}${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: timeouts.requestMs,
      bodyTimeout: timeouts.requestMs,
    });
    const answer = (await response.body.json()) as { error?: string };
    if (response.statusCode !== 200) {
      throw new Error(
        `backend "${this.id}" control ${method} ${path} answered ${response.statusCode}: ${answer.error}`,
      );
    }
    return answer;
  }
}

async function launchListening(
  spec: BackendSpec,
  launch: BackendLauncher,
  ports: { port: string; controlPort: string },
): Promise<{ runner: Runner; endpoints: Endpoints }> {
  const runner = await launch(spec, ports);
  try {
    const endpoints = await runner.waitForLine(
      parseListening,
      'report its listening ports',
      timeouts.backendStartMs,
    );
    return { runner, endpoints };
  } catch (error) {
    await runner.kill();
    throw error;
  }
}

function parseListening(line: string): Endpoints | undefined {
  try {
    const event = JSON.parse(line) as { event?: string } & Endpoints;
    return event.event === 'listening' ? event : undefined;
  } catch {
    return undefined;
  }
}
