import type { Container } from 'dockerode';
import { type ExitStatus, exitWithin, OutputLog, type Runner } from '../runner.ts';
import { containerRuntime, ownerLabels, trackContainer } from './engine.ts';

/** How to run a container the harness owns: always with host networking (loopback only). */
export interface ContainerSpec {
  readonly label: string;
  readonly image: string;
  /** Arguments to the image's entrypoint. */
  readonly command: readonly string[];
  /** Directories mounted at the same path inside (so config paths read the same). */
  readonly mounts?: readonly string[];
}

/** A container as a Runner: its logs are the output, docker's signals, stop, kill and pause the faults. */
export class ManagedContainer implements Runner {
  readonly #docker: Container;
  readonly #exited: Promise<ExitStatus>;
  readonly #log: OutputLog;
  #exitStatus: ExitStatus | undefined;
  #paused = false;

  private constructor(
    readonly label: string,
    docker: Container,
    logs: NodeJS.ReadableStream,
  ) {
    this.#docker = docker;
    const untrack = trackContainer(docker.id);
    this.#exited = docker
      .wait()
      .then((result: { StatusCode: number }) => ({ code: result.StatusCode, signal: null }) as ExitStatus)
      .catch((error: Error): ExitStatus => {
        this.#log.record('harness', `lost track of the container: ${error.message}`);
        return { code: null, signal: null };
      })
      .then(async (status) => {
        this.#exitStatus = status;
        await docker.remove({ force: true }).catch(() => {});
        untrack();
        return status;
      });
    this.#log = new OutputLog(label, this.#exited);
    let partial = '';
    logs.on('data', (chunk: Buffer | string) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.#log.record('stdout', line);
    });
  }

  static async start(spec: ContainerSpec): Promise<ManagedContainer> {
    const { testcontainers, client } = await containerRuntime();
    let logs: NodeJS.ReadableStream | undefined;
    const started = await new testcontainers.GenericContainer(spec.image)
      .withNetworkMode('host')
      .withCommand([...spec.command])
      .withLabels({ ...ownerLabels })
      .withBindMounts(
        (spec.mounts ?? []).map((path) => ({ source: path, target: path, mode: 'rw' as const })),
      )
      .withLogConsumer((stream) => {
        logs = stream;
      })
      .start();
    const docker = client.container.getById(started.getId());
    return new ManagedContainer(
      spec.label,
      docker,
      logs ?? (await docker.logs({ follow: true, stdout: true, stderr: true })),
    );
  }

  get exitStatus(): ExitStatus | undefined {
    return this.#exitStatus;
  }

  get exited(): Promise<ExitStatus> {
    return this.#exited;
  }

  output(): string {
    return this.#log.text();
  }

  waitForLine<T>(parse: (line: string) => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return this.#log.waitForLine(parse, what, timeoutMs);
  }

  /** A container has one main process; both targets reach it. */
  signal(signal: NodeJS.Signals): void {
    if (this.#exitStatus) return;
    this.#docker.kill({ signal }).catch(() => {});
  }

  async stop(timeoutMs?: number): Promise<ExitStatus> {
    if (this.#exitStatus) return this.#exitStatus;
    if (this.#paused) await this.resume();
    this.signal('SIGTERM');
    return exitWithin(this.#exited, timeoutMs, () => this.signal('SIGKILL'));
  }

  async kill(): Promise<ExitStatus> {
    this.signal('SIGKILL');
    return this.#exited;
  }

  async pause(): Promise<void> {
    await this.#docker.pause();
    this.#paused = true;
  }

  async resume(): Promise<void> {
    if (this.#paused) await this.#docker.unpause();
    this.#paused = false;
  }
}
