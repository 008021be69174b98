import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { describeExit, ManagedProcess } from '../processes.ts';
import { timeouts } from '../timeouts.ts';
import type { BackendProvider, BackendSpec, BackendStats, StartedBackend } from './provider.ts';

const serverScript = fileURLToPath(new URL('../../../fixtures/backend/server.ts', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

interface ListeningLine {
  readonly address: string;
  readonly controlAddress: string;
}

/** Backends as OS processes running fixtures/backend/server.ts, started in parallel. */
export const processBackendProvider: BackendProvider = {
  name: 'process',
  start: startAllOrNone,
};

// Starts every backend in parallel; if any fails, the others are stopped before the error is thrown.
async function startAllOrNone(specs: readonly BackendSpec[]): Promise<StartedBackend[]> {
  const results = await Promise.allSettled(specs.map((spec) => ProcessBackend.start(spec)));
  const failure = results.find((result) => result.status === 'rejected');
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (failure) {
    await Promise.all(started.map((backend) => backend[Symbol.asyncDispose]()));
    throw failure.reason;
  }
  return started;
}

class ProcessBackend implements StartedBackend {
  #process: ManagedProcess;
  #endpoints: ListeningLine;
  #running = true;
  #intended = true;

  private constructor(
    readonly spec: BackendSpec,
    started: { process: ManagedProcess; endpoints: ListeningLine },
  ) {
    this.#process = started.process;
    this.#endpoints = started.endpoints;
  }

  static async start(spec: BackendSpec): Promise<ProcessBackend> {
    return new ProcessBackend(spec, await launch(spec, '0', '0'));
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
    const status = this.#process.exitStatus;
    return status && this.#intended
      ? `backend "${this.id}" exited unexpectedly (${describeExit(status)})`
      : undefined;
  }

  async stats(): Promise<BackendStats> {
    return (await this.#control('GET', '/stats')) as BackendStats;
  }

  async resetStats(): Promise<void> {
    await this.#control('POST', '/reset-stats');
  }

  async setBehaviour(update: Record<string, unknown>): Promise<void> {
    await this.#control('PUT', '/behaviour', update);
  }

  async stop(): Promise<void> {
    this.#markDown();
    await this.#process.stop();
  }

  async kill(): Promise<void> {
    this.#markDown();
    await this.#process.kill();
  }

  async pause(): Promise<void> {
    this.#running = false;
    this.#process.pause();
  }

  async resume(): Promise<void> {
    this.#process.resume();
    this.#running = true;
  }

  async restart(): Promise<void> {
    if (!this.#process.exitStatus) await this.stop();
    const port = (s: string) => s.slice(s.lastIndexOf(':') + 1);
    const started = await launch(
      this.spec,
      port(this.#endpoints.address),
      port(this.#endpoints.controlAddress),
    );
    this.#process = started.process;
    this.#endpoints = started.endpoints;
    this.#running = true;
    this.#intended = true;
  }

  async evidence(): Promise<string> {
    let stats = '(not reachable)';
    if (!this.#process.exitStatus) {
      stats = await this.stats().then(
        (value) => JSON.stringify(value),
        (error: Error) => `(unreadable: ${error.message})`,
      );
    }
    return `backend "${this.id}" ${this.spec.protocol} ${this.address} running=${this.#running} stats=${stats}\n${this.#process.output()}`;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#markDown();
    await this.#process.stop();
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

async function launch(spec: BackendSpec, port: string, controlPort: string) {
  const process = ManagedProcess.start({
    label: `backend "${spec.id}"`,
    command: globalThis.process.execPath,
    args: [
      '--import',
      tsxLoader,
      serverScript,
      '--id',
      spec.id,
      '--mode',
      spec.protocol,
      '--port',
      port,
      '--control-port',
      controlPort,
    ],
  });
  try {
    const endpoints = await process.waitForLine(
      parseListening,
      'report its listening ports',
      timeouts.backendStartMs,
    );
    return { process, endpoints };
  } catch (error) {
    await process.kill();
    throw error;
  }
}

function parseListening(line: string): ListeningLine | undefined {
  try {
    const event = JSON.parse(line) as { event?: string } & ListeningLine;
    return event.event === 'listening' ? event : undefined;
  } catch {
    return undefined;
  }
}
