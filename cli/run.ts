import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { readJsonFile } from './json-file.ts';
import { cucumberEntryPoint, packageRoot } from './package-root.ts';
import { declaresCapabilities, projectSettings } from './project-file.ts';
import { readRunArguments, runOptions } from './run-arguments.ts';

/** The project file `lbspec init` writes, read when no --capabilities-file is given. */
export const projectFileName = 'lbspec.json';

/** A run's whole environment: its command line first, then the environment, then the project file. */
export function runSettings(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv) {
  const { env: fromArguments, cucumberArgs } = readRunArguments(args, { cwd, exists: existsSync });
  const projectPath =
    fromArguments.LBSPEC_CAPABILITIES_FILE ??
    (env.LBSPEC_CAPABILITIES_FILE ? resolve(cwd, env.LBSPEC_CAPABILITIES_FILE) : undefined) ??
    (existsSync(resolve(cwd, projectFileName)) ? resolve(cwd, projectFileName) : undefined);
  const fromFile: Record<string, string> = {};
  if (projectPath !== undefined) {
    const document = readJsonFile(projectPath);
    Object.assign(fromFile, projectSettings(document, projectPath));
    if (declaresCapabilities(document)) fromFile.LBSPEC_CAPABILITIES_FILE = projectPath;
  }
  const settings: Record<string, string> = {
    LBSPEC_REPORTS_DIR: resolve(cwd, 'lbspec-reports'),
    LBSPEC_WORKDIR: cwd,
    ...fromFile,
    ...definedLbspecVariables(env, cwd),
    ...fromArguments,
  };
  // Where a setting from the environment or the command line names capabilities, a file's do not apply.
  if (
    (env.LBSPEC_CAPABILITIES || fromArguments.LBSPEC_CAPABILITIES) &&
    !fromArguments.LBSPEC_CAPABILITIES_FILE
  )
    delete settings.LBSPEC_CAPABILITIES_FILE;
  if (settings.LBSPEC_IMAGE && !settings.LBSPEC_ADAPTER) settings.LBSPEC_ADAPTER = 'container';
  if (!settings.LBSPEC_ADAPTER && !settings.LBSPEC_COMMAND) {
    throw new Error(
      `no balancer named: pass --command "./my-balancer --config {config}" (or --image, or --adapter reference), or write one into ${projectFileName} (\`lbspec init\` creates it)`,
    );
  }
  return { settings, cucumberArgs };
}

/**
 * Runs the suite with `settings` in the package's directory, output passed through, and resolves to
 * its exit code. A signal the lbspec process gets is passed on to the suite, which writes its
 * interrupted reports and exits (a second copy of the same signal, as a terminal's Ctrl-C sends to
 * the whole group, changes nothing).
 */
export function runSuite(cucumberArgs: readonly string[], settings: Record<string, string>): Promise<number> {
  const child = spawn(process.execPath, [cucumberEntryPoint(), ...cucumberArgs], {
    cwd: packageRoot,
    env: { ...process.env, ...settings },
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const each of signals) process.off(each, forward);
      resolvePromise(code ?? 128 + (signal ? constants.signals[signal] : 1));
    });
  });
}

// The LBSPEC_ variables set in the environment; those naming paths made absolute, since the suite
// runs in the package's directory.
function definedLbspecVariables(env: NodeJS.ProcessEnv, cwd: string): Record<string, string> {
  const paths = new Set<string>(
    Object.values(runOptions).flatMap((option) => ('path' in option ? [option.variable] : [])),
  );
  return Object.fromEntries(
    Object.entries(env)
      .filter((entry): entry is [string, string] => entry[0].startsWith('LBSPEC_') && !!entry[1])
      .map(([name, value]) => [name, paths.has(name) ? resolve(cwd, value) : value]),
  );
}
