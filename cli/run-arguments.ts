import { isAbsolute, resolve } from 'node:path';

/** lbspec's own options of a run, each with the setting it becomes. The rest go to cucumber-js. */
export const runOptions = {
  '--command': {
    variable: 'LBSPEC_COMMAND',
    help: "your balancer's command line, with {config} where the config path goes",
  },
  '--capabilities': {
    variable: 'LBSPEC_CAPABILITIES',
    help: 'what it supports, comma separated ("l7,round-robin"), or "all"',
  },
  '--capabilities-file': {
    variable: 'LBSPEC_CAPABILITIES_FILE',
    help: 'a capabilities file (default: ./lbspec.json when it exists)',
    path: true,
  },
  '--image': {
    variable: 'LBSPEC_IMAGE',
    help: 'your balancer as a local container image (the container adapter)',
  },
  '--image-args': {
    variable: 'LBSPEC_IMAGE_ARGS',
    help: 'the image entrypoint\'s arguments (default "--config {config}")',
  },
  '--adapter': { variable: 'LBSPEC_ADAPTER', help: 'reference, command, container, nginx, haproxy or caddy' },
  '--balancer-name': {
    variable: 'LBSPEC_NAME',
    help: "how reports name your balancer (default: the program's name)",
  },
  '--balancer-version': { variable: 'LBSPEC_VERSION', help: 'its version, for the reports' },
  '--reload': { variable: 'LBSPEC_RELOAD', help: 'how it takes a new config: restart (default) or sighup' },
  '--stop-signal': {
    variable: 'LBSPEC_STOP_SIGNAL',
    help: 'the signal that stops it gracefully: SIGTERM (default), SIGINT, SIGQUIT, SIGUSR1 or SIGUSR2',
  },
  '--backends': { variable: 'LBSPEC_BACKENDS', help: 'process (default) or container' },
  '--reports': {
    variable: 'LBSPEC_REPORTS_DIR',
    help: 'where reports go (default ./lbspec-reports)',
    path: true,
  },
  '--workdir': {
    variable: 'LBSPEC_WORKDIR',
    help: 'where your command runs (default: this directory)',
    path: true,
  },
} as const satisfies Record<string, { variable: string; help: string; path?: boolean }>;

type RunOption = keyof typeof runOptions;

// cucumber-js options that take a value: the word after them is not a feature path.
const cucumberOptionsWithValue = new Set([
  '--tags',
  '-t',
  '--name',
  '--format',
  '-f',
  '--format-options',
  '--parallel',
  '--profile',
  '-p',
  '--retry',
  '--retry-tag-filter',
  '--shard',
  '--order',
  '--world-parameters',
  '--import',
  '-i',
  '--require',
  '-r',
  '--require-module',
  '--language',
  '--config',
  '-c',
  '--plugin',
  '--plugin-options',
]);

export interface RunArguments {
  /** The settings, as the environment of the suite's process. */
  readonly env: Record<string, string>;
  /** What cucumber-js gets, paths made absolute where they name the user's files. */
  readonly cucumberArgs: string[];
}

export interface Surroundings {
  /** The user's directory: relative paths on the command line are theirs. */
  readonly cwd: string;
  /** Whether a path exists, for telling the user's feature files from the package's. */
  readonly exists: (path: string) => boolean;
}

/**
 * Splits a run's command line into lbspec's settings and cucumber-js's arguments. Values may follow
 * as the next word or after "=". The suite runs in the package's directory, so paths the user gives
 * are made absolute here: option values that are paths, output files of --format, and feature paths
 * that exist in the user's directory (others, like features/round-robin.feature, are the package's).
 */
export function readRunArguments(args: readonly string[], { cwd, exists }: Surroundings): RunArguments {
  const env: Record<string, string> = {};
  const cucumberArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    const [flag, inline] = splitInline(word);
    if (Object.hasOwn(runOptions, flag)) {
      const option = runOptions[flag as RunOption];
      const value = inline ?? args[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--')))
        throw new Error(`${flag} needs a value: ${option.help}`);
      env[option.variable] = 'path' in option ? resolve(cwd, value) : value;
    } else if (cucumberOptionsWithValue.has(flag)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new Error(`${flag} needs a value (a cucumber-js option)`);
      cucumberArgs.push(
        flag,
        flag === '--format' || flag === '-f' ? formatWithAbsoluteOutput(value, cwd) : value,
      );
    } else if (word.startsWith('-')) {
      cucumberArgs.push(word);
    } else {
      cucumberArgs.push(userFeaturePath(word, cwd, exists));
    }
  }
  return { env, cucumberArgs };
}

/** `--flag=value` as [flag, value]; any other word as [word, undefined]. */
export function splitInline(word: string): [string, string | undefined] {
  if (!word.startsWith('--')) return [word, undefined];
  const equals = word.indexOf('=');
  return equals < 0 ? [word, undefined] : [word.slice(0, equals), word.slice(equals + 1)];
}

// "html:out/report.html" writes to the user's directory, not the package's.
function formatWithAbsoluteOutput(format: string, cwd: string): string {
  const match = /^([^:]+):(.+)$/.exec(format);
  if (!match || match[1]?.startsWith('.') || /^\w+:\/\//.test(format)) return format;
  const [, type, output] = match as unknown as [string, string, string];
  return isAbsolute(output) ? format : `${type}:${resolve(cwd, output)}`;
}

// A feature path with an optional :line suffix; the user's when it exists in their directory.
function userFeaturePath(word: string, cwd: string, exists: (path: string) => boolean): string {
  const path = word.replace(/(:\d+)+$/, '');
  if (isAbsolute(word) || !exists(resolve(cwd, path))) return word;
  return resolve(cwd, word);
}
