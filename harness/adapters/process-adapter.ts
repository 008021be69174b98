import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { accepts, splitHostPort } from '../clients/net.ts';
import { ManagedProcess, onHarnessExit } from '../processes/processes.ts';
import { describeExit, type Runner } from '../processes/runner.ts';
import { redactSecrets } from '../report/redact.ts';
import { type ConfigDocument, serialiseConfig } from '../spec/config-document.ts';
import { timeouts } from '../timing/timeouts.ts';
import { pollUntil } from '../timing/waiting.ts';
import {
  type AdapterDescription,
  type BalancerAdapter,
  BalancerStartError,
  type StartedBalancer,
} from './adapter.ts';
import { writeTlsFiles } from './tls-files.ts';

/**
 * How a balancer that runs as a local process takes a new config:
 * - restart: stop it, write the new config, start it again;
 * - signal: rewrite the config file and send `signal` to its main process (SIGHUP for the reference
 *   and nginx, SIGUSR2 for HAProxy's master); the balancer must then report the sha256 of the
 *   neutral config as `configHash` on GET /status at the config's admin address;
 * - request: rewrite the config file and ask the running product to load it (Caddy's admin API);
 *   `send` resolves once the product has taken or refused it, and /status reports the hash as above.
 */
export type ReloadMethod =
  | { readonly kind: 'restart' }
  | { readonly kind: 'signal'; readonly signal: NodeJS.Signals }
  | { readonly kind: 'request'; readonly send: (configPath: string, directory: string) => Promise<void> };

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
  /** The signal that asks its main process to stop gracefully (SIGTERM when not given). */
  readonly stopSignal?: NodeJS.Signals;
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

// Balancer directories not yet removed: a run ended by a signal removes them on its way out.
const liveDirectories = new Set<string>();
onHarnessExit(() => {
  for (const directory of liveDirectories) rmSync(directory, { recursive: true, force: true });
});

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
    // Made and listed in one step: a signal between the two would leave it behind.
    const directory = mkdtempSync(join(tmpdir(), 'lbspec-balancer-'));
    liveDirectories.add(directory);
    // Products that drop privileges (nginx workers run as nobody under root) must reach their files.
    await chmod(directory, 0o755);
    const balancer = new ProcessBalancer(this.options, description, directory);
    try {
      await balancer.run(config);
    } catch (error) {
      // Read before the directory goes: the command, the config and the output say why.
      const evidence = await balancer.evidence().catch(() => undefined);
      await balancer[Symbol.asyncDispose]();
      throw evidence === undefined ? error : new BalancerStartError(error as Error, evidence);
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

  async offerRefusedConfig(config: ConfigDocument): Promise<string> {
    const admin = this.options.reportsConfigHash ? config.admin : undefined;
    const process = this.#process;
    const reload = this.options.reload;
    if (!admin || !process || reload.kind !== 'signal')
      throw new Error(
        `${this.#label} cannot report a refused reload (no admin status, or it does not reload by signal)`,
      );
    const served = { hash: this.#configHash, text: this.#configText, native: this.#nativeText };
    await this.#writeConfig(config);
    const offeredHash = this.#configHash;
    let lastSentMs = 0;
    const status = await pollUntil(
      async () => {
        if (Date.now() - lastSentMs >= reloadResendMs) {
          lastSentMs = Date.now();
          process.signal(reload.signal, 'main');
        }
        const seen = await adminStatus(admin.address, admin.token);
        const settled = seen.configHash === offeredHash || seen.lastReloadError?.configHash === offeredHash;
        return settled ? seen : undefined;
      },
      {
        what: `${this.#label} to take or refuse the new config`,
        timeoutMs: timeouts.reconfigureMs,
        giveUpIf: () => {
          const exited = process.exitStatus;
          return exited && `it exited (${describeExit(exited)})\n${process.output()}`;
        },
      },
    );
    // The harness goes on describing what the balancer serves.
    this.#configHash = served.hash;
    this.#configText = served.text;
    this.#nativeText = served.native;
    if (status.configHash === offeredHash)
      throw new Error('the balancer took the config it should have refused');
    if (status.configHash !== served.hash)
      throw new Error(
        `after refusing the config the balancer serves ${status.configHash}, not the one before`,
      );
    return status.lastReloadError?.message ?? '';
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
    if (reload.kind === 'request') {
      await reload.send(this.#configPath, this.directory);
      await this.#awaitServing(config, timeouts.reconfigureMs);
      return;
    }
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

  async stopGracefully(): Promise<string> {
    const process = this.#process;
    if (!process) throw new Error(`${this.#label} was not started`);
    this.#stopping = true;
    process.signal(this.options.stopSignal ?? 'SIGTERM', 'main');
    return describeExit(await process.exited);
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
      `neutral config (sha256 ${this.#configHash}; secrets shown by their length only):`,
      JSON.stringify(redactSecrets(JSON.parse(this.#configText)), null, 2),
      ...(this.#nativeText === undefined ? [] : [`native config (${this.#configPath}):`, this.#nativeText]),
      'output:',
      this.#earlierOutput + (this.#process?.output() ?? ''),
      ...logs,
    ].join('\n');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    await rm(this.directory, { recursive: true, force: true });
    liveDirectories.delete(this.directory);
  }

  async #writeConfig(config: ConfigDocument): Promise<void> {
    this.#configText = serialiseConfig(config);
    this.#configHash = createHash('sha256').update(this.#configText).digest('hex');
    const translator = this.options.translator;
    if (translator) await writeTlsFiles(config, this.directory);
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
    let adminListening = false;
    await pollUntil(
      async () => {
        beforeEachPoll?.();
        if (!admin) {
          await Promise.all(config.listeners.map((listener) => expectAccepting(listener.address)));
          return true;
        }
        // Until the admin port takes a connection, a bare connect asks: an HTTP request refused
        // costs seven times its CPU, and a start is polled for a dozen times or more.
        adminListening ||= await accepts(admin.address);
        if (!adminListening) throw new Error(`the admin endpoint ${admin.address} is not listening yet`);
        await expectConfigHash(admin.address, expectedHash, admin.token);
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

interface AdminStatus {
  readonly configHash?: string;
  readonly lastReloadError?: { readonly configHash: string; readonly message: string };
}

async function adminStatus(adminAddress: string, token?: string): Promise<AdminStatus> {
  const response = await request(`http://${adminAddress}/status`, {
    headersTimeout: 2_000,
    bodyTimeout: 2_000,
    ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
  });
  return (await response.body.json()) as AdminStatus;
}

async function expectConfigHash(adminAddress: string, expected: string, token?: string): Promise<void> {
  const status = await adminStatus(adminAddress, token);
  if (status.configHash === expected) return;
  const reloadError = status.lastReloadError ? `; last reload failed: ${status.lastReloadError.message}` : '';
  throw new Error(`admin status reports config ${status.configHash}, expected ${expected}${reloadError}`);
}

/** How long a readiness probe waits for the balancer to close it after its half-close. */
const probeCloseMs = 2_000;

/**
 * Resolves once `address` accepts a connection and the probe is over. A layer 4 balancer may open
 * a backend connection for the probe, and that connection can land after the backends' counts are
 * reset unless the probe waits for it: so the probe half-closes, as a client with nothing to send
 * would, and waits for the balancer to close in turn (it relays the half-close to the backend, the
 * backend ends, the balancer ends), or `probeCloseMs` at most, before it counts as done.
 */
function expectAccepting(address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(splitHostPort(address));
    let timer: NodeJS.Timeout | undefined;
    socket.once('connect', () => {
      socket.resume();
      socket.end();
      timer = setTimeout(() => socket.destroy(), probeCloseMs);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      if (timer !== undefined) resolve();
    });
    socket.once('error', (error) => {
      if (timer === undefined) reject(new Error(`${address} does not accept connections: ${error.message}`));
    });
  });
}
