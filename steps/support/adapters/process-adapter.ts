import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { type ConfigDocument, serialiseConfig } from '../config-document.ts';
import { splitHostPort } from '../net.ts';
import { describeExit, ManagedProcess } from '../processes.ts';
import { timeouts } from '../timeouts.ts';
import { pollUntil } from '../waiting.ts';
import type { AdapterDescription, BalancerAdapter, StartedBalancer } from './adapter.ts';

/**
 * How a balancer that runs as a local process takes a new config:
 * - "restart": stop it, write the new config, start it again;
 * - "sighup": rewrite the config file and send SIGHUP; the balancer must then report the sha256 of
 *   the file it serves as `configHash` on GET /status at the config's admin address.
 */
export type ReloadMethod = 'restart' | 'sighup';

export interface ProcessAdapterOptions {
  readonly description: AdapterDescription;
  /** The command line, given the path of the config file. */
  readonly commandLine: (configPath: string) => { command: string; args: string[] };
  readonly reload: ReloadMethod;
  /** Whether GET /status on the admin address reports the configHash it serves. */
  readonly reportsConfigHash: boolean;
  readonly cwd?: string;
}

/** A balancer run as a local process on the config file the harness writes. */
export class ProcessAdapter implements BalancerAdapter {
  constructor(readonly options: ProcessAdapterOptions) {}

  get name(): string {
    return this.options.description.name;
  }

  async describe(): Promise<AdapterDescription> {
    return this.options.description;
  }

  async start(config: ConfigDocument): Promise<StartedBalancer> {
    const directory = await mkdtemp(join(tmpdir(), 'lbspec-balancer-'));
    const balancer = new ProcessBalancer(this.options, directory);
    try {
      await balancer.run(config);
    } catch (error) {
      await balancer[Symbol.asyncDispose]();
      throw error;
    }
    return balancer;
  }
}

class ProcessBalancer implements StartedBalancer {
  readonly #configPath: string;
  #process: ManagedProcess | undefined;
  #configText = '';
  #stopping = false;
  #earlierOutput = '';

  constructor(
    readonly options: ProcessAdapterOptions,
    readonly directory: string,
  ) {
    this.#configPath = join(directory, 'balancer.json');
  }

  get unexpectedExit(): string | undefined {
    const status = this.#process?.exitStatus;
    return status && !this.#stopping
      ? `balancer ${this.options.description.name} exited unexpectedly (${describeExit(status)})`
      : undefined;
  }

  /** Starts the process on `config` and waits until it serves it. */
  async run(config: ConfigDocument): Promise<void> {
    await this.#writeConfig(config);
    const { command, args } = this.options.commandLine(this.#configPath);
    this.#stopping = false;
    this.#process = ManagedProcess.start({
      label: `balancer ${this.options.description.name}`,
      command,
      args,
      cwd: this.options.cwd,
    });
    await this.#awaitServing(config, timeouts.balancerStartMs);
  }

  async reconfigure(config: ConfigDocument): Promise<void> {
    if (this.options.reload === 'restart' || !this.#process || this.#process.exitStatus) {
      await this.stop();
      this.#earlierOutput += this.#process?.output() ?? '';
      await this.run(config);
      return;
    }
    await this.#writeConfig(config);
    this.#process.signal('SIGHUP');
    await this.#awaitServing(config, timeouts.reconfigureMs);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#process?.stop();
  }

  evidence(): string {
    const { command, args } = this.options.commandLine(this.#configPath);
    const status = this.#process?.exitStatus;
    return [
      `balancer: ${this.options.description.name} ${this.options.description.version}`,
      `command: ${[command, ...args].join(' ')}`,
      `state: ${status ? describeExit(status) : 'running'}`,
      `config (${this.#configPath}):`,
      this.#configText,
      'output:',
      this.#earlierOutput + (this.#process?.output() ?? ''),
    ].join('\n');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    await rm(this.directory, { recursive: true, force: true });
  }

  async #writeConfig(config: ConfigDocument): Promise<void> {
    this.#configText = serialiseConfig(config);
    await writeFile(this.#configPath, this.#configText);
  }

  /**
   * Waits until the balancer serves `config`: its admin status shows the config's hash where it
   * reports one, else every listener accepts connections. (A probe connection to a TCP listener
   * may reach a backend; the world resets backend stats once the balancer is ready.)
   */
  async #awaitServing(config: ConfigDocument, timeoutMs: number): Promise<void> {
    const process = this.#process as ManagedProcess;
    const expectedHash = createHash('sha256').update(this.#configText).digest('hex');
    const admin = this.options.reportsConfigHash ? config.admin : undefined;
    await pollUntil(
      async () => {
        if (admin) await expectConfigHash(admin.address, expectedHash);
        else await Promise.all(config.listeners.map((listener) => expectAccepting(listener.address)));
        return true;
      },
      {
        what: `balancer ${this.options.description.name} to serve its config`,
        timeoutMs,
        giveUpIf: () => {
          const status = process.exitStatus;
          return status && `it exited (${describeExit(status)})\n${process.output()}`;
        },
      },
    );
  }
}

async function expectConfigHash(adminAddress: string, expected: string): Promise<void> {
  const response = await request(`http://${adminAddress}/status`, {
    headersTimeout: 2_000,
    bodyTimeout: 2_000,
  });
  const status = (await response.body.json()) as {
    configHash?: string;
    lastReloadError?: { message: string };
  };
  if (status.configHash === expected) return;
  const reloadError = status.lastReloadError ? `; last reload failed: ${status.lastReloadError.message}` : '';
  throw new Error(`admin status reports config ${status.configHash}, expected ${expected}${reloadError}`);
}

function expectAccepting(address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(splitHostPort(address));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) =>
      reject(new Error(`${address} does not accept connections: ${error.message}`)),
    );
  });
}
