import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { timeouts } from '../timing/timeouts.ts';
import { ManagedProcess } from './processes.ts';

/** The program the harness runs as a fleet's shared store. */
export const redisCommand = process.env.LBSPEC_REDIS_SERVER || 'redis-server';

/** Why no Redis can be started here with `command`, or undefined when it runs. */
export function redisMissing(command = redisCommand): string | undefined {
  const result = spawnSync(command, ['--version'], { encoding: 'utf8' });
  if (!result.error) return undefined;
  return (result.error as NodeJS.ErrnoException).code === 'ENOENT'
    ? `${command} is not installed: apt-get install -y redis-server (or name the program in LBSPEC_REDIS_SERVER)`
    : `cannot run ${command}: ${result.error.message}`;
}

/**
 * How Redis is tied to the harness process: Redis cannot watch its standard input as the fixture
 * processes do (--exit-on-stdin-close), so where util-linux's setpriv runs, the kernel kills it
 * when the harness dies, even outright (SIGKILL, as a mutation run's timeout does), which no exit
 * handler sees. Elsewhere, the exit handlers alone.
 */
const tiedToHarness: readonly string[] = spawnSync('setpriv', ['--version']).error
  ? []
  : ['setpriv', '--pdeathsig', 'KILL', '--'];

/**
 * A real Redis on a loopback port, owned by one scenario: nothing saved to disk, its log kept as
 * evidence. It can be stopped, paused and started again on the same port, as a store fails and
 * comes back under a fleet.
 */
export class RedisServer {
  readonly port: number;
  #process: ManagedProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  /** Starts Redis on `port`; resolves once it accepts connections. */
  static async start(port: number): Promise<RedisServer> {
    const server = new RedisServer(port);
    await server.restart();
    return server;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#process !== undefined && this.#process.exitStatus === undefined;
  }

  /** Starts it again after a stop (an empty Redis: what a restarted store without persistence is). */
  async restart(): Promise<void> {
    if (this.running) throw new Error(`redis on ${this.address} is already running`);
    const [program = redisCommand, ...programArgs] = [...tiedToHarness, redisCommand];
    const started = ManagedProcess.start({
      label: `redis ${this.address}`,
      command: program,
      args: [
        ...programArgs,
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        tmpdir(),
        '--logfile',
        '',
      ],
    });
    this.#process = started;
    await started.waitForLine(
      (line) => (line.includes('Ready to accept connections') ? true : undefined),
      'accept connections',
      timeouts.backendStartMs,
    );
  }

  /** Stops it as a crash would (SIGKILL): its connections are reset, its buckets gone. */
  async kill(): Promise<void> {
    await this.#process?.kill();
  }

  /** Freezes it: connections stay open, and nothing is answered. */
  async pause(): Promise<void> {
    await this.#process?.pause();
  }

  async resume(): Promise<void> {
    await this.#process?.resume();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#process?.stop();
  }
}
