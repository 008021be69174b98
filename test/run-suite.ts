import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { programArguments } from '../harness/processes/bundle.ts';
import type { ConformanceReport } from '../harness/report/conformance.ts';
import { readConformanceReport } from '../harness/report/report-files.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const cucumber = join(projectRoot, 'node_modules/@cucumber/cucumber/bin/cucumber.js');

export interface SuiteRun {
  /** The run's conformance report, or undefined when it wrote none. */
  readonly report: ConformanceReport | undefined;
  readonly exitCode: number | null;
  /** cucumber's output, for assertion messages. */
  readonly output: string;
}

/**
 * Runs `cucumber-js [args]` as a user would, in a temporary reports directory, with `env` added.
 * Scenarios run one after another unless `args` say otherwise: these runs are short and run two at
 * a time, so a worker's start-up would cost more than it saves.
 */
export async function runSuite(env: Record<string, string>, args: readonly string[] = []): Promise<SuiteRun> {
  const reports = await mkdtemp(join(tmpdir(), 'lbspec-suite-'));
  try {
    const { code: exitCode, output } = await runCollecting(
      process.execPath,
      [cucumber, '--format', 'summary', '--parallel', '0', ...args],
      projectRoot,
      { LBSPEC_REPORTS_DIR: reports, ...env },
    );
    return { report: readConformanceReport(reports), exitCode, output };
  } finally {
    await rm(reports, { recursive: true, force: true });
  }
}

/** How a process ended, and its output and errors as one text, for assertion messages. */
export interface Finished {
  readonly code: number | null;
  readonly output: string;
}

/** Runs `command` in `cwd` with `env` added to this process's, collecting what it writes. */
export function runCollecting(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Finished> {
  const child = spawn(command, [...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Environment for the command adapter running a program with the reference's CLI. */
export function commandBalancer(program: string): Record<string, string> {
  return {
    LBSPEC_ADAPTER: 'command',
    LBSPEC_COMMAND: `node ${programArguments(join(projectRoot, program)).join(' ')} --config {config} --exit-on-stdin-close`,
  };
}
