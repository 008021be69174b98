import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import packageJson from '../../package.json' with { type: 'json' };
import { startAdminServer } from './admin/admin-server.ts';
import { Balancer, type BalancerOptions } from './balancer.ts';
import { type LoadedConfig, loadConfigFile } from './config/load.ts';
import type { BalancerConfig } from './config/types.ts';

const usage = `usage: lbspec-reference --config <file.json> [--check] [--exit-on-stdin-close]
       lbspec-reference --version

  --config FILE            the neutral balancer config (schema/config.v1.schema.json)
  --check                  validate the config and exit: 0 if valid, 2 if not
  --exit-on-stdin-close    shut down when standard input closes (the parent died)
Signals: SIGHUP reloads the config file; SIGTERM or SIGINT drains and exits.`;

/** Exit codes: 0 clean stop, 1 runtime failure (e.g. an address in use), 2 bad usage or config. */
export const exitCodes = { ok: 0, failure: 1, invalid: 2 } as const;

/** How long in-flight requests may take to finish after SIGTERM before connections are cut. */
const drainTimeoutMs = 10_000;

export const version = packageJson.version;

/** What fixtures/broken/ may change about the CLI: broken algorithms, defects, a distorted config. */
export interface CliOptions extends BalancerOptions {
  /**
   * Applied to every config after it validated, before it is served (a broken balancer misreading
   * it); `before`: the config served until this reload, as it was served.
   */
  readonly distortConfig?: (config: BalancerConfig, before?: BalancerConfig) => BalancerConfig;
}

/** Runs the reference balancer CLI; `options` lets fixtures/ build deliberately broken balancers. */
export async function main(argv: readonly string[], cliOptions: CliOptions = {}): Promise<void> {
  const { distortConfig = (config: BalancerConfig) => config, ...balancerOptions } = cliOptions;
  const options: BalancerOptions = { log, ...balancerOptions };
  let args: ReturnType<typeof parseCliArgs>;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    fail(exitCodes.invalid, `${(error as Error).message}\n${usage}`);
  }
  if (args.version) {
    process.stdout.write(`lbspec-reference ${version}\n`);
    return;
  }
  if (!args.config) fail(exitCodes.invalid, `missing --config\n${usage}`);
  const configPath = args.config;

  let loaded: LoadedConfig;
  try {
    loaded = await loadConfigFile(configPath);
  } catch (error) {
    fail(exitCodes.invalid, (error as Error).message);
  }
  if (args.check) {
    process.stdout.write(`config ${configPath} is valid\n`);
    return;
  }

  let served = distortConfig(loaded.config);
  let balancer: Balancer;
  try {
    balancer = await Balancer.start(served, loaded.hash, options);
  } catch (error) {
    fail(exitCodes.failure, (error as Error).message);
  }
  let lastReloadError: { configHash: string; message: string } | undefined;
  let admin: Server | undefined;
  const adminAddress = loaded.config.admin?.address;
  if (adminAddress) {
    try {
      admin = await startAdminServer(
        adminAddress,
        () => ({ version, ...balancer.status(), lastReloadError, resources: activeResources() }),
        served.admin?.token,
      );
    } catch (error) {
      await balancer.close(0);
      fail(exitCodes.failure, (error as Error).message);
    }
  }
  log(`serving epoch 1, config sha256 ${loaded.hash}: ${describeListeners(loaded.config)}`);

  // Reloads run one at a time, in the order the signals came.
  let reloading = Promise.resolve();
  process.on('SIGHUP', () => {
    reloading = reloading.then(async () => {
      let next: LoadedConfig | undefined;
      try {
        next = await loadConfigFile(configPath);
        if (next.config.admin?.address !== adminAddress) {
          throw new Error(
            `the admin address cannot change on reload (restart instead): ${adminAddress} -> ${next.config.admin?.address}`,
          );
        }
        if (next.config.admin?.token !== loaded.config.admin?.token)
          throw new Error('the admin token cannot change on reload (restart instead)');
        const nextServed = distortConfig(next.config, served);
        await balancer.apply(nextServed, next.hash);
        served = nextServed;
        lastReloadError = undefined;
        log(
          `serving epoch ${balancer.status().epoch}, config sha256 ${next.hash}: ${describeListeners(next.config)}`,
        );
      } catch (error) {
        const configHash = next?.hash ?? (error as { configHash?: string }).configHash ?? '';
        lastReloadError = { configHash, message: (error as Error).message };
        if (balancerOptions.defects?.exitOnBadReload) fail(exitCodes.invalid, (error as Error).message);
        log(`reload failed, still serving epoch ${balancer.status().epoch}: ${(error as Error).message}`);
      }
    });
  });

  let stopping = false;
  const stop = (signal: string): void => {
    // Stryker disable next-line all: a broken balancer's defect, never on in a correct run
    if (balancerOptions.defects?.stopIgnored) {
      log(`${signal}: taken, and ignored`);
      return;
    }
    if (stopping) {
      log(`${signal} again: exiting without draining`);
      process.exit(exitCodes.failure);
    }
    stopping = true;
    log(`${signal}: draining for up to ${drainTimeoutMs} ms`);
    admin?.close();
    admin?.closeAllConnections();
    // Stryker disable next-line all: a broken balancer's defect, never on in a correct run
    const drainMs = balancerOptions.defects?.stopWithoutDraining ? 0 : drainTimeoutMs;
    void balancer.close(drainMs).then(() => process.exit(exitCodes.ok));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (args.exitOnStdinClose) {
    process.stdin.on('end', () => stop('stdin closed')).on('close', () => stop('stdin closed'));
    process.stdin.resume();
  }
}

function parseCliArgs(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string' },
      check: { type: 'boolean', default: false },
      version: { type: 'boolean', default: false },
      'exit-on-stdin-close': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    config: values.config,
    check: values.check,
    version: values.version,
    exitOnStdinClose: values['exit-on-stdin-close'],
  };
}

function describeListeners(config: BalancerConfig): string {
  return config.listeners
    .map((l) => `${l.protocol} "${l.name}" on ${l.address} -> pool "${l.pool}"`)
    .join(', ');
}

function log(line: string): void {
  process.stderr.write(`lbspec-reference: ${line}\n`);
}

function fail(code: number, message: string): never {
  process.stderr.write(`lbspec-reference: ${message}\n`);
  process.exit(code);
}

/** The process's open handles and pending timers by kind (TCPSocketWrap, Timeout, ...): a leak shows as growth. */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
