import { type ParseArgsConfig, parseArgs } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * Reads a script's command line. `--help` (or `-h`) prints `usage` and exits 0; an unknown option,
 * a missing value or a stray argument prints what is wrong and the usage to stderr and exits 2, as
 * command-line tools do, instead of a stack trace.
 */
export function readCommandLine<const O extends OptionsConfig>(
  usage: string,
  options: O,
  { allowPositionals = false, args = process.argv.slice(2) } = {},
) {
  if (args.includes('--help') || args.includes('-h')) printUsageAndExit(usage);
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    return usageError((error as Error).message, usage);
  }
}

/** Prints `problem` and the usage to stderr and exits 2: the command line is wrong. */
export function usageError(problem: string, usage: string): never {
  process.stderr.write(`${problem}\n\n${usage.endsWith('\n') ? usage : `${usage}\n`}`);
  process.exit(2);
}

/**
 * The items a comma-separated `list` names, in the order of `all` (all of them when `list` is
 * absent). A name none of them has is a usage error, which lists the names there are.
 */
export function namedIn<T>(
  all: readonly T[],
  nameOf: (item: T) => string,
  list: string | undefined,
  what: string,
  usage: string,
): T[] {
  if (list === undefined) return [...all];
  const names = list.split(',').map((name) => name.trim());
  const known = all.map(nameOf);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    usageError(`unknown ${what} ${unknown.join(', ')}; known: ${known.join(', ')}`, usage);
  return all.filter((item) => names.includes(nameOf(item)));
}

/** For a script that passes its arguments on: `--help` (or `-h`) first prints `usage` and exits 0. */
export function answerHelp(usage: string, args = process.argv.slice(2)): void {
  if (args[0] === '--help' || args[0] === '-h') printUsageAndExit(usage);
}

function printUsageAndExit(usage: string): never {
  process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
  process.exit(0);
}
