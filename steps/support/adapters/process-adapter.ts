import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { type ConfigDocument, serialiseConfig } from '../config-document.ts';
import { splitHostPort } from '../net.ts';
import { ManagedProcess } from '../processes.ts';
import { describeExit, type Runner } from '../runner.ts';
import { timeouts } from '../timeouts.ts';
import { pollUntil } from '../waiting.ts';
import type { AdapterDescription, BalancerAdapter, StartedBalancer } from './adapter.ts';

/**
 * How a balancer that runs as a local process takes a new config:
 * - restart: stop it, write the new config, start it again;
 * - signal: rewrite the config file and send `signal` to its main process (SIGHUP for the reference
 *   and nginx, SIGUSR2 for HAProxy's master); the balancer must then report the sha256 of the
 *   neutral config as `configHash` on GET /status at the config's admin address.
 */
export type ReloadMethod =
  | { readonly kind: 'restart' }
  | { readonly kind: 'signal'; readonly signal: NodeJS.Signals };

/** Where a run's files live and which neutral config they come from. */
export interface RenderContext {
  /** A directory of this balancer's own, for pid files, logs and temporary files. */
  readonly directory: string;
  /** sha256 (hex) of the neutral config text; a translated config serves it on GET /status. */
  readonly configHash: string;
}

/** Turns the neutral config into the file a product reads. Default: the neutral JSON itself. */
export interface ConfigTranslator {
  readonly fileName: string;
  render(config: ConfigDocument, context: RenderContext): string;
}

export interface ProcessAdapterOptions {
  readonly name: string;
  /** Who is under test; may check that the product is installed (and throw saying how to install it). */
  readonly describe: () => Promise<AdapterDescription>;
  /** The command line, given the path of the config file and the run directory. */
  readonly commandLine: (configPath: string, directory: string) => { command: string; args: string[] };
  readonly reload: ReloadMethod;
  /** Whether GET /status on the admin address reports the configHash it serves. */
  readonly reportsConfigHash: boolean;
  readonly translator?: ConfigTranslator;
  /** Files in the run directory that the product writes (e.g. its error log), for evidence. */
  readonly logFiles?: readonly string[];
  readonly cwd?: string;
  /** Runs the command line; default: a local process. The container adapter runs it in a container. */
  readonly launch?: (run: LaunchSpec) => Promise<Runner>;
}

/** What a launcher needs to run a balancer. */
export interface LaunchSpec {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  /** The run directory, holding the config file; a container mounts it at the same path. */
  readonly directory: string;
  readonly cwd?: string;
}

const launchProcess = async (run: LaunchSpec): Promise<Runner> => ManagedProcess.start(run);

/** How long a reload may take before its signal is sent again. */
const reloadResendMs = 2_000;

/** A balancer run as a local process (or through `launch`) on the config file the harness writes. */
export class ProcessAdapter implements BalancerAdapter {
  #description: Promise<AdapterDescription> | undefined;

  constructor(readonly options: ProcessAdapterOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** Asked once; a failure (e.g. the product is not installed) is the answer for the whole run. */
  describe(): Promise<AdapterDescription> {
    this.#description ??= this.options.describe();
    return this.#description;
  }

  async start(config: ConfigDocument): Promise<StartedBalancer> {
    const description = await this.describe();
    const directory = await mkdtemp(join(tmpdir(), 'lbspec-balancer-'));
    // Products that drop privileges (nginx workers run as nobody under root) must reach their files.
    await chmod(directory, 0o755);
    const balancer = new ProcessBalancer(this.options, description, directory);
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
  #process: Runner | undefined;
  #configText = '';
  #configHash = '';
  #nativeText: string | undefined;
  #stopping = false;
  #earlierOutput = '';

  constructor(
    readonly options: ProcessAdapterOptions,
    readonly description: AdapterDescription,
    readonly directory: string,
  ) {
    this.#configPath = join(directory, options.translator?.fileName ?? 'balancer.json');
  }

  get #label(): string {
    return `balancer ${this.description.name}`;
  }

  get pid(): number | undefined {
    return this.#process?.exitStatus ? undefined : this.#process?.pid;
  }

  get unexpectedExit(): string | undefined {
    const status = this.#process?.exitStatus;
    return status && !this.#stopping
      ? `${this.#label} exited unexpectedly (${describeExit(status)})`
      : undefined;
  }

  /** Starts the process on `config` and waits until it serves it. */
  async run(config: ConfigDocument): Promise<void> {
    await this.#writeConfig(config);
    const { command, args } = this.options.commandLine(this.#configPath, this.directory);
    this.#stopping = false;
    const launch = this.options.launch ?? launchProcess;
    this.#process = await launch({
      label: this.#label,
      command,
      args,
      directory: this.directory,
      cwd: this.options.cwd,
    });
    await this.#awaitServing(config, timeouts.balancerStartMs);
  }

  async reconfigure(config: ConfigDocument): Promise<void> {
    const reload = this.options.reload;
    if (reload.kind === 'restart' || !this.#process || this.#process.exitStatus) {
      await this.stop();
      this.#earlierOutput += this.#process?.output() ?? '';
      await this.run(config);
      return;
    }
    await this.#writeConfig(config);
    const process = this.#process;
    // A product may miss a reload signal that comes while it is still settling from the last start
    // or reload (seen with HAProxy's master); the request is idempotent, so it is repeated until
    // the new config is live.
    let lastSentMs = 0;
    await this.#awaitServing(config, timeouts.reconfigureMs, () => {
      if (Date.now() - lastSentMs < reloadResendMs) return;
      lastSentMs = Date.now();
      process.signal(reload.signal, 'main');
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#process?.stop();
  }

  async evidence(): Promise<string> {
    const { command, args } = this.options.commandLine(this.#configPath, this.directory);
    const status = this.#process?.exitStatus;
    const logs = await Promise.all(
      (this.options.logFiles ?? []).map(async (name) => {
        const text = await readFile(join(this.directory, name), 'utf8').catch(
          (error: Error) => `(${error.message})`,
        );
        return `${name}:\n${text.slice(-16_384)}`;
      }),
    );
    return [
      `${this.#label} ${this.description.version}`,
      `command: ${[command, ...args].join(' ')}`,
      `state: ${status ? describeExit(status) : 'running'}`,
      `neutral config (sha256 ${this.#configHash}):`,
      this.#configText,
      ...(this.#nativeText === undefined ? [] : [`native config (${this.#configPath}):`, this.#nativeText]),
      'output:',
      this.#earlierOutput + (this.#process?.output() ?? ''),
      ...logs,
    ].join('\n');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    await rm(this.directory, { recursive: true, force: true });
  }

  async #writeConfig(config: ConfigDocument): Promise<void> {
    this.#configText = serialiseConfig(config);
    this.#configHash = createHash('sha256').update(this.#configText).digest('hex');
    const translator = this.options.translator;
    this.#nativeText = translator?.render(config, {
      directory: this.directory,
      configHash: this.#configHash,
    });
    await writeFile(this.#configPath, this.#nativeText ?? this.#configText);
  }

  /**
   * Waits until the balancer serves `config`: its admin status shows the config's hash where it
   * reports one, else every listener accepts connections. (A probe connection to a TCP listener
   * may reach a backend; the world resets backend stats once the balancer is ready.)
   */
  async #awaitServing(config: ConfigDocument, timeoutMs: number, beforeEachPoll?: () => void): Promise<void> {
    const process = this.#process as Runner;
    const expectedHash = this.#configHash;
    const admin = this.options.reportsConfigHash ? config.admin : undefined;
    await pollUntil(
      async () => {
        beforeEachPoll?.();
        if (admin) await expectConfigHash(admin.address, expectedHash);
        else await Promise.all(config.listeners.map((listener) => expectAccepting(listener.address)));
        return true;
      },
      {
        what: `${this.#label} to serve its config`,
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
