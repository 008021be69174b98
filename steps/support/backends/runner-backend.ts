import { request } from 'undici';
import { describeExit, type Runner } from '../runner.ts';
import { timeouts } from '../timeouts.ts';
import type { Arrival, BackendProvider, BackendSpec, BackendStats, StartedBackend } from './provider.ts';

/** Starts one fixture backend (fixtures/backend/server.ts) listening on the given ports ("0": any). */
export type BackendLauncher = (
  spec: BackendSpec,
  ports: { port: string; controlPort: string },
) => Promise<Runner>;

/** The arguments of fixtures/backend/server.ts for a spec and ports. */
export function backendArguments(spec: BackendSpec, ports: { port: string; controlPort: string }): string[] {
  return [
    '--id',
    spec.id,
    '--mode',
    spec.protocol,
    '--port',
    ports.port,
    '--control-port',
    ports.controlPort,
  ];
}

/** A provider whose backends are started by `launch`, all in parallel, all or none. */
export function runnerBackendProvider(name: string, launch: BackendLauncher): BackendProvider {
  return {
    name,
    async start(specs) {
      const results = await Promise.allSettled(specs.map((spec) => RunnerBackend.start(spec, launch)));
      const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) {
        await Promise.all(started.map((backend) => backend[Symbol.asyncDispose]()));
        throw failure.reason;
      }
      return started;
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

  private constructor(
    readonly spec: BackendSpec,
    readonly launch: BackendLauncher,
    started: { runner: Runner; endpoints: Endpoints },
  ) {
    this.#runner = started.runner;
    this.#endpoints = started.endpoints;
  }

  static async start(spec: BackendSpec, launch: BackendLauncher): Promise<RunnerBackend> {
    return new RunnerBackend(
      spec,
      launch,
      await launchListening(spec, launch, { port: '0', controlPort: '0' }),
    );
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

  async resetStats(): Promise<void> {
    await this.#control('POST', '/reset-stats');
  }

  async setBehaviour(update: Record<string, unknown>): Promise<void> {
    await this.#control('PUT', '/behaviour', update);
  }

  async stop(): Promise<void> {
    this.#markDown();
    await this.#runner.stop();
  }

  async kill(): Promise<void> {
    this.#markDown();
    await this.#runner.kill();
  }

  async pause(): Promise<void> {
    this.#running = false;
    await this.#runner.pause();
  }

  async resume(): Promise<void> {
    await this.#runner.resume();
    this.#running = true;
  }

  async restart(): Promise<void> {
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
    return `backend "${this.id}" ${this.spec.protocol} ${this.address} running=${this.#running} stats=${stats}\n${this.#runner.output()}`;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#markDown();
    await this.#runner.stop();
  }

  #markDown(): void {
    this.#running = false;
    this.#intended = false;
  }

  async #control(method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<unknown> {
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
