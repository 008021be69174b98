import { timeouts } from '../timing/timeouts.ts';
import { DeadlineError } from '../timing/waiting.ts';

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** "exit code 2" or "signal SIGKILL". */
export function describeExit(status: ExitStatus): string {
  return status.signal ? `signal ${status.signal}` : `exit code ${status.code}`;
}

/**
 * Something the harness started and owns: an OS process or a container. Its output is kept for
 * evidence; stop() and kill() are idempotent and resolve once it has exited.
 */
export interface Runner {
  /** Names it in errors and evidence: `backend "b2"`, `balancer reference`. */
  readonly label: string;
  readonly exitStatus: ExitStatus | undefined;
  readonly exited: Promise<ExitStatus>;
  /** Its main process as the host sees it (for /proc); undefined where the host cannot see it. */
  readonly pid?: number | undefined;
  /**
   * The last 64 KiB of its output, each line tagged stdout/stderr; from `since` (an earlier
   * `outputWritten`) on, when given.
   */
  output(since?: number): string;
  /** How much output it has written so far: a mark for `output(since)`. */
  readonly outputWritten: number;
  /** The first stdout line for which `parse` returns a value; rejects on exit or deadline. */
  waitForLine<T>(parse: (line: string) => T | undefined, what: string, timeoutMs: number): Promise<T>;
  /** To every process it runs (`group`, default) or to its main process only (`main`). */
  signal(signal: NodeJS.Signals, target?: 'group' | 'main'): void;
  /** SIGTERM, then SIGKILL if it has not exited within the budget. */
  stop(timeoutMs?: number): Promise<ExitStatus>;
  /** SIGKILL: no chance to clean up, as in a crash. */
  kill(): Promise<ExitStatus>;
  /** Freezes it: the kernel still accepts connections on its sockets, but nothing answers. */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

const outputTailBytes = 64 * 1024;

/** A runner's output: a bounded tail for evidence, and waiting for a stdout line. */
export class OutputLog {
  #tail = '';
  /** Characters recorded so far, those trimmed from the tail included. */
  #written = 0;
  readonly #stdoutLines: string[] = [];
  readonly #waiters = new Set<(line: string) => void>();

  constructor(
    readonly label: string,
    readonly exited: Promise<ExitStatus>,
  ) {}

  record(stream: 'stdout' | 'stderr' | 'harness', line: string): void {
    const entry = `[${stream}] ${line}\n`;
    this.#tail += entry;
    this.#written += entry.length;
    if (this.#tail.length > outputTailBytes) this.#tail = this.#tail.slice(-outputTailBytes);
    if (stream !== 'stdout') return;
    this.#stdoutLines.push(line);
    for (const waiter of this.#waiters) waiter(line);
  }

  get written(): number {
    return this.#written;
  }

  /** The tail from `since` (a value of `written`) on; all of it when it no longer reaches back that far. */
  text(since = 0): string {
    const trimmed = this.#written - this.#tail.length;
    return this.#tail.slice(Math.max(0, since - trimmed));
  }

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
        this.#waiters.add(onLine);
        deadlineTimer = setTimeout(
          () =>
            reject(new DeadlineError(`${this.label} did not ${what} within ${timeoutMs} ms\n${this.#tail}`)),
          timeoutMs,
        );
        void this.exited.then((status) =>
          reject(
            new Error(
              `${this.label} exited (${describeExit(status)}) before it could ${what}\n${this.#tail}`,
            ),
          ),
        );
      });
    } finally {
      if (onLine) this.#waiters.delete(onLine);
      clearTimeout(deadlineTimer);
    }
  }
}

/**
 * What every Runner shares: exit tracking, the output log, and stop/kill/pause in terms of
 * `signal`, `freeze` and `thaw`, which each kind of runner supplies.
 */
export abstract class OwnedRunner implements Runner {
  readonly exited: Promise<ExitStatus>;
  protected readonly log: OutputLog;
  #exitStatus: ExitStatus | undefined;
  #paused = false;

  /** `exited` resolves once the runner has exited; `exitWhen` may record into the log (e.g. a spawn error). */
  constructor(
    readonly label: string,
    exitWhen: (log: OutputLog) => Promise<ExitStatus>,
  ) {
    let resolveExit: (status: ExitStatus) => void = () => {};
    this.exited = new Promise<ExitStatus>((resolve) => {
      resolveExit = resolve;
    });
    this.log = new OutputLog(label, this.exited);
    void exitWhen(this.log).then((status) => {
      this.#exitStatus = status;
      resolveExit(status);
    });
  }

  get exitStatus(): ExitStatus | undefined {
    return this.#exitStatus;
  }

  output(since?: number): string {
    return this.log.text(since);
  }

  get outputWritten(): number {
    return this.log.written;
  }

  waitForLine<T>(parse: (line: string) => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return this.log.waitForLine(parse, what, timeoutMs);
  }

  abstract signal(signal: NodeJS.Signals, target?: 'group' | 'main'): void;
  protected abstract freeze(): Promise<void>;
  protected abstract thaw(): Promise<void>;

  async stop(timeoutMs?: number): Promise<ExitStatus> {
    if (this.#exitStatus) return this.#exitStatus;
    // A frozen runner would hold SIGTERM until thawed.
    await this.resume();
    this.signal('SIGTERM');
    return exitWithin(this.exited, timeoutMs, () => this.signal('SIGKILL'));
  }

  async kill(): Promise<ExitStatus> {
    this.signal('SIGKILL');
    return this.exited;
  }

  async pause(): Promise<void> {
    await this.freeze();
    this.#paused = true;
  }

  async resume(): Promise<void> {
    if (this.#paused) await this.thaw();
    this.#paused = false;
  }
}

/** Resolves `exited`, or sends SIGKILL through `kill` once `timeoutMs` has passed, then resolves. */
export async function exitWithin(
  exited: Promise<ExitStatus>,
  timeoutMs: number = timeouts.processStopMs,
  kill: () => void,
): Promise<ExitStatus> {
  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    deadlineTimer = setTimeout(resolve, timeoutMs);
  });
  const status = await Promise.race([exited, deadline.then(kill).then(() => exited)]);
  clearTimeout(deadlineTimer);
  return status;
}
