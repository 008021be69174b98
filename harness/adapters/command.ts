import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type DeclaredCapabilities, declareCapabilities, parseCapabilityList } from '../spec/capabilities.ts';
import { parseCapabilitiesFile } from '../spec/capabilities-file.ts';
import { ProcessAdapter, type ReloadMethod } from './process-adapter.ts';

/**
 * Your own balancer, in any language, as a command:
 *   LBSPEC_COMMAND="./my-balancer --config {config}"   the command; {config} becomes the config path
 *   LBSPEC_CAPABILITIES="l7,l4,round-robin" | "all"   what it supports (or LBSPEC_CAPABILITIES_FILE)
 *   LBSPEC_NAME, LBSPEC_VERSION                        how reports name it (default: the program name)
 *   LBSPEC_RELOAD=restart | sighup                     how it takes a new config (default restart)
 *   LBSPEC_STOP_SIGNAL=SIGTERM | SIGINT | SIGQUIT | SIGUSR1 | SIGUSR2   what asks it to stop gracefully
 *   LBSPEC_WORKDIR                                     where it runs (default: the suite's directory)
 */
export function commandAdapter(env: NodeJS.ProcessEnv = process.env): ProcessAdapter {
  const template = env.LBSPEC_COMMAND?.trim();
  if (!template) {
    throw new Error(
      'the command adapter needs LBSPEC_COMMAND, e.g. LBSPEC_COMMAND="./my-balancer --config {config}"',
    );
  }
  const words = splitCommandLine(template);
  if (!words.some((word) => word.includes('{config}'))) {
    throw new Error(
      `LBSPEC_COMMAND="${template}" has no {config} placeholder; add one where the config file path goes`,
    );
  }
  const reload = readReload(env);
  const [program, ...rest] = words as [string, ...string[]];
  const description = {
    name: env.LBSPEC_NAME || programName(words),
    version: env.LBSPEC_VERSION || 'unknown',
    capabilities: withoutHitlessReloadOnRestart(readDeclaredCapabilities(env), reload),
  };
  return new ProcessAdapter({
    name: description.name,
    describe: async () => description,
    commandLine: (configPath) => ({
      command: program.replaceAll('{config}', configPath),
      args: rest.map((word) => word.replaceAll('{config}', configPath)),
    }),
    reload,
    stopSignal: readStopSignal(env),
    reportsConfigHash: reload.kind === 'signal',
    ...(env.LBSPEC_WORKDIR ? { cwd: env.LBSPEC_WORKDIR } : {}),
  });
}

// Interpreters whose first argument that is not an option is the program a report should name.
const interpreters = /^(node|deno|bun|python[\d.]*|pypy[\d.]*|ruby|perl|php|java|dotnet|tsx|npx)$/;

/**
 * How a report names a command's balancer: the program's file name, or for `node lb.mjs` and the
 * like, the script's (`lb.mjs`, not `node`).
 */
export function programName(words: readonly string[]): string {
  const [program = '', ...rest] = words;
  if (!interpreters.test(basename(program))) return basename(program);
  const script = rest.find((word) => !word.startsWith('-'));
  return script === undefined ? basename(program) : basename(script);
}

/** LBSPEC_RELOAD: restart (default) or sighup. */
export function readReload(env: NodeJS.ProcessEnv): ReloadMethod {
  const reloads: Record<string, ReloadMethod> = {
    restart: { kind: 'restart' },
    sighup: { kind: 'signal', signal: 'SIGHUP' },
  };
  const reload = reloads[env.LBSPEC_RELOAD ?? 'restart'];
  if (!reload) throw new Error(`LBSPEC_RELOAD="${env.LBSPEC_RELOAD}" is not one of: restart, sighup`);
  return reload;
}

// Signals a balancer may take as "stop gracefully"; SIGHUP is the reload's, SIGKILL cannot be caught.
const stopSignals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** LBSPEC_STOP_SIGNAL: the signal that asks the balancer to finish what it has and exit (default SIGTERM). */
export function readStopSignal(env: NodeJS.ProcessEnv): NodeJS.Signals {
  const named = (env.LBSPEC_STOP_SIGNAL ?? 'SIGTERM').trim().toUpperCase();
  const signal = stopSignals.find((known) => known === named || known === `SIG${named}`);
  if (!signal)
    throw new Error(
      `LBSPEC_STOP_SIGNAL="${env.LBSPEC_STOP_SIGNAL}" is not one of: ${stopSignals.join(', ')} (the signal your balancer takes as "finish what you have, then exit")`,
    );
  return signal;
}

/**
 * A balancer that takes a new config by restarting drops what is in flight, whatever it declares:
 * scenarios that reload under traffic are unsupported for it, not failed.
 */
export function withoutHitlessReloadOnRestart(
  declared: DeclaredCapabilities,
  reload: ReloadMethod,
): DeclaredCapabilities {
  if (reload.kind !== 'restart' || !declared.supported.includes('hitless-reload')) return declared;
  return {
    supported: declared.supported.filter((capability) => capability !== 'hitless-reload'),
    reasons: {
      ...declared.reasons,
      'hitless-reload': 'LBSPEC_RELOAD=restart: a restart drops the connections in flight (use sighup)',
    },
  };
}

/** LBSPEC_CAPABILITIES_FILE or LBSPEC_CAPABILITIES; one of them is required. */
export function readDeclaredCapabilities(env: NodeJS.ProcessEnv) {
  if (env.LBSPEC_CAPABILITIES_FILE) {
    const source = env.LBSPEC_CAPABILITIES_FILE;
    let document: unknown;
    try {
      document = JSON.parse(readFileSync(source, 'utf8'));
    } catch (error) {
      throw new Error(`LBSPEC_CAPABILITIES_FILE=${source}: ${(error as Error).message}`);
    }
    return parseCapabilitiesFile(document, source);
  }
  if (env.LBSPEC_CAPABILITIES) {
    return declareCapabilities(
      parseCapabilityList(env.LBSPEC_CAPABILITIES, 'LBSPEC_CAPABILITIES'),
      'not declared in LBSPEC_CAPABILITIES',
    );
  }
  throw new Error(
    'declare the capabilities of your balancer: LBSPEC_CAPABILITIES="l7,round-robin" (or "all"), or LBSPEC_CAPABILITIES_FILE=caps.json',
  );
}

/**
 * Splits a command line into words the way a POSIX shell would for plain words, 'single' and
 * "double" quotes and backslash escapes; no variables, globs or pipes (the command runs without a
 * shell). Example: `node "my lb.js" --config {config}` -> ["node", "my lb.js", "--config", "{config}"].
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i] as string;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (
      char === '\\' &&
      i + 1 < line.length &&
      (quote === undefined || /["\\$`]/.test(line[i + 1] as string))
    ) {
      word += line[++i];
      inWord = true;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in command line: ${line}`);
  if (inWord) words.push(word);
  return words;
}
