import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Envelope } from '@cucumber/messages';
import { INSTRUMENTER_CONSTANTS, type MutantCoverage, type StrykerOptions } from '@stryker-mutator/api/core';
import type { Logger } from '@stryker-mutator/api/logging';
import { commonTokens, declareClassPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import {
  type DryRunResult,
  DryRunStatus,
  type MutantRunOptions,
  type MutantRunResult,
  MutantRunStatus,
  type TestResult,
  type TestRunner,
  TestStatus,
} from '@stryker-mutator/api/test-runner';
import {
  attributeCoverage,
  type CoverageRecord,
  quickestFirst,
  type ScenarioRun,
  scenarioRuns,
} from './scenario-runs.ts';

/**
 * Kills mutants of the reference with its unit tests and with the scenarios, each scenario against
 * a real reference process. A mutant is switched on through the environment, which every process a
 * run starts inherits: the reference (bundled from the mutated sandbox) acts on it, the harness and
 * the backends hold no mutated code. The dry run records which mutants each unit test file and each
 * scenario reaches, so a mutant runs only the tests that reach it: unit test files first, as they
 * take a second, then its scenarios, stopping at the first failure: the quickest few in one run,
 * then, if the mutant is still alive, the rest.
 */
export class SuiteTestRunner implements TestRunner {
  static inject = tokens(commonTokens.logger, commonTokens.options);

  readonly #live = new Set<ChildProcess>();

  readonly #selection: readonly string[];

  constructor(
    private readonly log: Logger,
    options: StrykerOptions,
  ) {
    this.#selection = scenarioSelection(options);
    // A worker that ends without dispose (Stryker stopped) must not leave its runs behind.
    process.once('exit', () => {
      for (const child of this.#live) killGroup(child);
    });
  }

  capabilities() {
    // Every run starts new processes, so a mutant that acts only while modules load is seen too.
    return { reloadEnvironment: true };
  }

  async dryRun(): Promise<DryRunResult> {
    const coverageRoot = mkdtempSync(join(tmpdir(), 'lbspec-mutant-coverage-'));
    try {
      const tests: TestResult[] = [];
      const perTest: Record<string, Record<string, number>> = {};
      const costs: Record<string, number> = {};
      for (const file of unitTestFiles()) {
        const directory = mkdtempSync(join(coverageRoot, 'unit-'));
        const run = await this.#unit(file, { LBSPEC_MUTANT_COVERAGE_DIR: directory }, [coverageDump]);
        const id = unitTestId(file);
        tests.push(testResult(id, file, run.elapsedMs, run.exitCode === 0 ? undefined : run.output));
        perTest[id] = counts(readCoverage(directory).flatMap((record) => record.mutants));
        costs[file] = run.elapsedMs;
      }
      const directory = mkdtempSync(join(coverageRoot, 'scenarios-'));
      const suite = await this.#scenarios(this.#selection, { LBSPEC_MUTANT_COVERAGE_DIR: directory }, [
        coverageDump,
      ]);
      if (suite.runs.length === 0) {
        return { status: DryRunStatus.Error, errorMessage: `the suite ran no scenario:\n${suite.output}` };
      }
      const { perScenario, unattributed } = attributeCoverage(suite.runs, readCoverage(directory));
      for (const run of suite.runs) {
        tests.push(
          testResult(
            scenarioTestId(run.id),
            run.name,
            run.finishedAtMs - run.startedAtMs,
            run.failureMessage,
          ),
        );
        perTest[scenarioTestId(run.id)] = counts([...(perScenario.get(run.id) ?? [])]);
      }
      if (unattributed.size > 0) this.log.warn(`${unattributed.size} mutants reached outside any scenario`);
      // The workers that run mutants share the sandbox, not this process: they read the costs there.
      for (const run of suite.runs) costs[run.id] = run.finishedAtMs - run.startedAtMs;
      writeFileSync(testCostsFile, JSON.stringify(costs));
      const mutantCoverage: MutantCoverage = { static: counts([...unattributed]), perTest };
      return { status: DryRunStatus.Complete, tests, mutantCoverage };
    } finally {
      rmSync(coverageRoot, { recursive: true, force: true });
    }
  }

  async mutantRun({ activeMutant, testFilter }: MutantRunOptions): Promise<MutantRunResult> {
    const env = { [INSTRUMENTER_CONSTANTS.ACTIVE_MUTANT_ENV_VARIABLE]: activeMutant.id };
    const filter = testFilter ?? [...unitTestFiles().map(unitTestId)];
    // The quickest unit test files first: a module's own tests take a fraction of a second, those
    // that start servers several.
    const unitCosts = this.#testCosts();
    const units = filter
      .filter((id) => id.startsWith(unitPrefix))
      .map((id) => id.slice(unitPrefix.length))
      .sort((a, b) => (unitCosts.get(a) ?? Infinity) - (unitCosts.get(b) ?? Infinity));
    for (const file of units) {
      const run = await this.#unit(file, env, [], hangLimitMs(unitCosts.get(file)));
      if (run.timedOut) return { status: MutantRunStatus.Timeout, reason: `${file} hung` };
      if (run.exitCode !== 0) {
        return {
          status: MutantRunStatus.Killed,
          killedBy: [unitTestId(file)],
          failureMessage: tail(run.output),
          nrOfTests: units.length,
        };
      }
    }
    const scenarios = filter
      .filter((id) => id.startsWith(scenarioPrefix))
      .map((id) => id.slice(scenarioPrefix.length));
    const nrOfTests = units.length + scenarios.length;
    // Without a filter (a mutant reached outside any test) every scenario runs.
    if (testFilter && scenarios.length === 0) return { status: MutantRunStatus.Survived, nrOfTests };
    // No scenarios named: every scenario, in one run.
    const batches = scenarios.length === 0 ? [[]] : quickestFirst(scenarios, this.#testCosts());
    for (const batch of batches) {
      const suite = await this.#scenarios([...this.#selection, ...batch, '--fail-fast'], env);
      const failed = suite.runs.filter((run) => run.outcome === 'failed');
      if (failed.length > 0) {
        return {
          status: MutantRunStatus.Killed,
          killedBy: failed.map((run) => scenarioTestId(run.id)),
          failureMessage: failed[0]?.failureMessage ?? '',
          nrOfTests,
        };
      }
      if (suite.exitCode !== 0) {
        return {
          status: MutantRunStatus.Error,
          errorMessage: `cucumber exited ${suite.exitCode}:\n${tail(suite.output)}`,
        };
      }
    }
    return { status: MutantRunStatus.Survived, nrOfTests };
  }

  #costs: ReadonlyMap<string, number> | undefined;

  #testCosts(): ReadonlyMap<string, number> {
    this.#costs ??= existsSync(testCostsFile)
      ? new Map(Object.entries(JSON.parse(readFileSync(testCostsFile, 'utf8')) as Record<string, number>))
      : new Map();
    return this.#costs;
  }

  async dispose(): Promise<void> {
    for (const child of this.#live) killGroup(child);
  }

  async #unit(file: string, env: Record<string, string>, preload: readonly string[] = [], limitMs?: number) {
    const imports = ['tsx', ...preload].flatMap((module) => ['--import', module]);
    return this.#run([...imports, file], env, limitMs);
  }

  async #scenarios(args: readonly string[], env: Record<string, string>, preload: readonly string[] = []) {
    const reports = mkdtempSync(join(tmpdir(), 'lbspec-mutant-reports-'));
    try {
      const nodeOptions = [process.env.NODE_OPTIONS ?? '', ...preload.map((module) => `--import ${module}`)];
      const run = await this.#run([cucumber, '--parallel', '0', ...args], {
        ...env,
        LBSPEC_REPORTS_DIR: reports,
        NODE_OPTIONS: nodeOptions.join(' ').trim(),
      });
      const messages = readFileSync(join(reports, 'messages.ndjson'), 'utf8');
      const envelopes = messages
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Envelope);
      return { ...run, runs: scenarioRuns(envelopes) as readonly ScenarioRun[] };
    } catch (error) {
      return {
        exitCode: 1,
        elapsedMs: 0,
        output: String(error),
        timedOut: false,
        runs: [] as readonly ScenarioRun[],
      };
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  }

  /** Runs node with `args`; past `limitMs` its process group is killed and the run timed out. */
  #run(args: readonly string[], env: Record<string, string>, limitMs?: number) {
    const startedAt = performance.now();
    const child = spawn(process.execPath, [...args], {
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#live.add(child);
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-outputKeptChars);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let timedOut = false;
    const limit =
      limitMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killGroup(child);
          }, limitMs);
    return new Promise<{ exitCode: number; elapsedMs: number; output: string; timedOut: boolean }>(
      (resolve) => {
        child.once('close', (code) => {
          clearTimeout(limit);
          this.#live.delete(child);
          resolve({ exitCode: code ?? 1, elapsedMs: performance.now() - startedAt, output, timedOut });
        });
      },
    );
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'lbspec', SuiteTestRunner)];

// Stryker loads this module before it moves the worker into the sandbox, so paths in the sandbox
// are taken when they are used: relative to the working directory then.
const cucumber = join('node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js');
const coverageDump = fileURLToPath(new URL('coverage-dump.mjs', import.meta.url));
const unitPrefix = 'unit:';
const scenarioPrefix = 'scenario:';
const outputKeptChars = 20_000;
const testCostsFile = '.lbspec-test-costs.json';

/**
 * How long a unit test file may run under a mutant before it counts as hung: ten times its dry-run
 * time, and at least ten seconds, so that only a mutant that loops, not a busy machine, reaches it.
 */
function hangLimitMs(costMs: number | undefined): number {
  return Math.max(10_000, 10 * (costMs ?? 10_000));
}

/**
 * The scenarios a run may use, as a tag expression: the config's "lbspec": { "tags" } (a bounded
 * run), else LBSPEC_MUTATION_TAGS (a quicker, partial measure by hand), else every scenario.
 */
function scenarioSelection(options: StrykerOptions): string[] {
  const tags = (options.lbspec as { tags?: string } | undefined)?.tags ?? process.env.LBSPEC_MUTATION_TAGS;
  return tags ? ['--tags', tags] : [];
}

/** The reference's unit test files; the fuzz tests are left to `npm run fuzz`, which sizes them. */
function unitTestFiles(): string[] {
  return readdirSync('reference/src', { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts') && !file.endsWith('.fuzz.test.ts'))
    .map((file) => join('reference/src', file))
    .sort();
}

function unitTestId(file: string): string {
  return `${unitPrefix}${file}`;
}

function scenarioTestId(location: string): string {
  return `${scenarioPrefix}${location}`;
}

function testResult(
  id: string,
  name: string,
  timeSpentMs: number,
  failureMessage: string | undefined,
): TestResult {
  const common = { id, name, timeSpentMs: Math.round(timeSpentMs) };
  return failureMessage === undefined
    ? { ...common, status: TestStatus.Success }
    : { ...common, status: TestStatus.Failed, failureMessage };
}

function readCoverage(directory: string): CoverageRecord[] {
  return readdirSync(directory).map(
    (file) => JSON.parse(readFileSync(join(directory, file), 'utf8')) as CoverageRecord,
  );
}

function counts(mutants: readonly string[]): Record<string, number> {
  return Object.fromEntries(mutants.map((mutant) => [mutant, 1]));
}

function tail(output: string): string {
  return output.slice(-4000);
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
