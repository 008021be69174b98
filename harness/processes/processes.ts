import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { type ExitStatus, OwnedRunner } from './runner.ts';

export { describeExit, type ExitStatus } from './runner.ts';

/** How to start a process the harness owns. */
export interface ProcessSpec {
  /** Names the process in errors and evidence: `backend "b2"`, `balancer reference`. */
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

// Every live process of this harness process, so that exit or Ctrl-C can release them all.
const live = new Set<ManagedProcess>();

/**
 * A child process in its own process group (signals reach whatever it forks). Its stdin stays open:
 * fixtures started with --exit-on-stdin-close exit when it closes, so a crash of the harness
 * cannot leave them running.
 */
export class ManagedProcess extends OwnedRunner {
  readonly #child: ChildProcess;

  private constructor(
    readonly spec: ProcessSpec,
    child: ChildProcess,
  ) {
    super(spec.label, (log) => {
      const spawnFailure = new Promise<ExitStatus>((resolve) => {
        child.once('error', (error) => {
          log.record('harness', `cannot start ${spec.command}: ${error.message}`);
          resolve({ code: 127, signal: null });
        });
      });
      const exit = once(child, 'exit').then(([code, signal]) => ({ code, signal }) as ExitStatus);
      return Promise.race([exit, spawnFailure]).then((status) => {
        live.delete(this);
        return status;
      });
    });
    this.#child = child;
    child.stdin?.on('error', () => {});
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) =>
      this.log.record('stdout', line),
    );
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) =>
      this.log.record('stderr', line),
    );
    live.add(this);
  }

  static start(spec: ProcessSpec): ManagedProcess {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new ManagedProcess(spec, child);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  signal(signal: NodeJS.Signals, target: 'group' | 'main' = 'group'): void {
    if (this.exitStatus || this.#child.pid === undefined) return;
    try {
      process.kill(target === 'group' ? -this.#child.pid : this.#child.pid, signal);
    } catch {
      // Already gone: the exit event is on its way.
    }
  }

  protected async freeze(): Promise<void> {
    this.signal('SIGSTOP');
  }

  protected async thaw(): Promise<void> {
    this.signal('SIGCONT');
  }
}

// Synchronous, so it can run from exit and signal handlers.
const cleanups: (() => void)[] = [
  () => {
    for (const managed of live) managed.signal('SIGKILL');
  },
];

/** Adds a synchronous last-resort cleanup (e.g. removing containers) to run when the harness exits. */
export function onHarnessExit(cleanup: () => void): void {
  cleanups.push(cleanup);
}

function runCleanups(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // Best effort: the next cleanup must still run.
    }
  }
}

let guarded = false;
/**
 * Makes sure nothing outlives the harness: on normal exit, and on Ctrl-C or SIGTERM (which would
 * otherwise end the harness without running any cleanup).
 */
export function guardAgainstLeaks(): void {
  if (guarded) return;
  guarded = true;
  process.once('exit', runCleanups);
  // A parallel worker whose coordinator died alone (a signal to its pid, not its group) would run
  // on with its backends and balancers: it ends with the coordinator. Its channel closes only then;
  // at the end of a run the coordinator asks its workers to finish and waits for them.
  if (process.send !== undefined) {
    process.once('disconnect', () => {
      runCleanups();
      process.exit(128 + 15);
    });
  }
  for (const [signal, number] of [
    ['SIGINT', 2],
    ['SIGTERM', 15],
    ['SIGHUP', 1],
  ] as const) {
    process.once(signal, () => {
      runCleanups();
      process.exit(128 + number);
    });
  }
}
