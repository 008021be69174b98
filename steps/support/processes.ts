import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { timeouts } from './timeouts.ts';
import { DeadlineError } from './waiting.ts';

/** How to start a process the harness owns. */
export interface ProcessSpec {
  /** Names the process in errors and evidence: `backend "b2"`, `balancer reference`. */
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const outputTailBytes = 64 * 1024;

// Every live process of this harness process, so that exit or Ctrl-C can release them all.
const live = new Set<ManagedProcess>();

/**
 * A child process in its own process group (signals reach whatever it forks), with its output kept
 * for evidence. Its stdin stays open: fixtures exit when it closes, so a crash of the harness
 * cannot leave them running. stop() and kill() are idempotent.
 */
export class ManagedProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<ExitStatus>;
  #exitStatus: ExitStatus | undefined;
  #output = '';
  #stdoutLines: string[] = [];
  #lineWaiters = new Set<(line: string) => void>();
  #paused = false;

  private constructor(readonly spec: ProcessSpec) {
    this.#child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#child.stdin?.on('error', () => {});
    const spawnFailure = new Promise<ExitStatus>((resolve) => {
      this.#child.once('error', (error) => {
        this.#record('harness', `cannot start ${spec.command}: ${error.message}`);
        resolve({ code: 127, signal: null });
      });
    });
    this.#exited = Promise.race([
      once(this.#child, 'exit').then(([code, signal]) => ({ code, signal }) as ExitStatus),
      spawnFailure,
    ]).then((status) => {
      this.#exitStatus = status;
      live.delete(this);
      return status;
    });
    createInterface({ input: this.#child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.#record('stdout', line);
      this.#stdoutLines.push(line);
      for (const waiter of this.#lineWaiters) waiter(line);
    });
    createInterface({ input: this.#child.stderr as NodeJS.ReadableStream }).on('line', (line) =>
      this.#record('stderr', line),
    );
    live.add(this);
  }

  static start(spec: ProcessSpec): ManagedProcess {
    return new ManagedProcess(spec);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The exit status once the process has exited, else undefined. */
  get exitStatus(): ExitStatus | undefined {
    return this.#exitStatus;
  }

  get exited(): Promise<ExitStatus> {
    return this.#exited;
  }

  /** The last 64 KiB of its output, each line tagged stdout/stderr. */
  output(): string {
    return this.#output;
  }

  /**
   * The first stdout line (already printed or still to come) for which `parse` returns a value.
   * Rejects if the process exits first or the deadline passes.
   */
  async waitForLine<T>(parse: (line: string) => T | undefined, what: string, timeoutMs: number): Promise<T> {
    for (const line of this.#stdoutLines) {
      const value = parse(line);
      if (value !== undefined) return value;
    }
    let onLine: ((line: string) => void) | undefined;
    let deadlineTimer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<T>((resolve, reject) => {
        onLine = (line) => {
          const value = parse(line);
          if (value !== undefined) resolve(value);
        };
        this.#lineWaiters.add(onLine);
        deadlineTimer = setTimeout(
          () =>
            reject(
              new DeadlineError(`${this.spec.label} did not ${what} within ${timeoutMs} ms\n${this.#output}`),
            ),
          timeoutMs,
        );
        void this.#exited.then((status) =>
          reject(
            new Error(
              `${this.spec.label} exited (${describeExit(status)}) before it could ${what}\n${this.#output}`,
            ),
          ),
        );
      });
    } finally {
      if (onLine) this.#lineWaiters.delete(onLine);
      clearTimeout(deadlineTimer);
    }
  }

  /**
   * Sends a signal, if it still runs: to the whole process group (default), or to the main process
   * only (`main`, e.g. a reload request for a master process, which its workers must not get).
   */
  signal(signal: NodeJS.Signals, target: 'group' | 'main' = 'group'): void {
    if (this.#exitStatus || this.#child.pid === undefined) return;
    try {
      process.kill(target === 'group' ? -this.#child.pid : this.#child.pid, signal);
    } catch {
      // Already gone: the exit event is on its way.
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within the stop budget. Resolves once it exited. */
  async stop(timeoutMs: number = timeouts.processStopMs): Promise<ExitStatus> {
    if (this.#paused) this.resume();
    this.signal('SIGTERM');
    let deadlineTimer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      deadlineTimer = setTimeout(resolve, timeoutMs);
    }).then(() => this.signal('SIGKILL'));
    const status = await Promise.race([this.#exited, forced.then(() => this.#exited)]);
    clearTimeout(deadlineTimer);
    return status;
  }

  /** SIGKILL: no chance to clean up, as in a crash. Resolves once it exited. */
  async kill(): Promise<ExitStatus> {
    this.signal('SIGKILL');
    return this.#exited;
  }

  /** SIGSTOP: the kernel still accepts connections on its sockets, but nothing answers. */
  pause(): void {
    this.signal('SIGSTOP');
    this.#paused = true;
  }

  resume(): void {
    this.signal('SIGCONT');
    this.#paused = false;
  }

  #record(stream: string, line: string): void {
    this.#output += `[${stream}] ${line}\n`;
    if (this.#output.length > outputTailBytes) this.#output = this.#output.slice(-outputTailBytes);
  }
}

/** "exit code 2" or "signal SIGKILL". */
export function describeExit(status: ExitStatus): string {
  return status.signal ? `signal ${status.signal}` : `exit code ${status.code}`;
}

/** Kills every live process group at once; for exit and signal handlers, so it is synchronous. */
export function killAllProcesses(): void {
  for (const managed of live) managed.signal('SIGKILL');
}

let guarded = false;
/**
 * Makes sure no process outlives the harness: on normal exit, and on Ctrl-C or SIGTERM (which would
 * otherwise end the harness without running any cleanup).
 */
export function guardAgainstLeaks(): void {
  if (guarded) return;
  guarded = true;
  process.once('exit', killAllProcesses);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllProcesses();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}
