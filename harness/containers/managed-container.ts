import { readFile } from 'node:fs/promises';
import type { Container } from 'dockerode';
import { type ExitStatus, OwnedRunner } from '../processes/runner.ts';
import { containerRuntime, ownerLabels, trackContainer } from './engine.ts';

/**
 * The host's pid of a container's main process, when the engine runs on this host: the pid docker
 * reports is checked against /proc (its cgroup names the container), so a remote engine's pid
 * never points at an unrelated local process.
 */
async function hostPid(docker: Container): Promise<number | undefined> {
  const pid = (await docker.inspect().catch(() => undefined))?.State?.Pid;
  if (!pid) return undefined;
  const cgroup = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '');
  return cgroup.includes(docker.id) ? pid : undefined;
}

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
export class ManagedContainer extends OwnedRunner {
  readonly #docker: Container;
  /** The container's main process as this host sees it; undefined when the engine is elsewhere. */
  readonly #pid: number | undefined;

  private constructor(
    label: string,
    docker: Container,
    logs: NodeJS.ReadableStream,
    pid: number | undefined,
  ) {
    super(label, async (log) => {
      const untrack = trackContainer(docker.id);
      const status = await docker
        .wait()
        .then((result: { StatusCode: number }): ExitStatus => ({ code: result.StatusCode, signal: null }))
        .catch((error: Error): ExitStatus => {
          log.record('harness', `lost track of the container: ${error.message}`);
          return { code: null, signal: null };
        });
      await docker.remove({ force: true }).catch(() => {});
      untrack();
      return status;
    });
    this.#docker = docker;
    this.#pid = pid;
    let partial = '';
    logs.on('data', (chunk: Buffer | string) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.log.record('stdout', line);
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
      await hostPid(docker),
    );
  }

  get pid(): number | undefined {
    return this.exitStatus ? undefined : this.#pid;
  }

  /** A container has one main process; both targets reach it. */
  signal(signal: NodeJS.Signals): void {
    if (this.exitStatus) return;
    this.#docker.kill({ signal }).catch(() => {});
  }

  protected async freeze(): Promise<void> {
    await this.#docker.pause();
  }

  protected async thaw(): Promise<void> {
    await this.#docker.unpause();
  }
}
