import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { BalancerConfig } from './types.ts';
import { type ConfigIssue, validateConfig } from './validate.ts';

/** A config that could not be used, with every issue found. code: LBSPEC_CONFIG_INVALID. */
export class ConfigError extends Error {
  readonly code = 'LBSPEC_CONFIG_INVALID';
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
    /** sha256 (hex) of the refused file's bytes, when it could be read: a reload reports it. */
    readonly configHash?: string,
  ) {
    super(formatIssues(source, issues));
    this.name = 'ConfigError';
  }
}

/** A validated config and the sha256 (hex) of the file bytes it came from. */
export interface LoadedConfig {
  readonly config: BalancerConfig;
  readonly hash: string;
}

/** Reads, parses and validates a config file; throws ConfigError listing every issue. */
export async function loadConfigFile(path: string): Promise<LoadedConfig> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ConfigError(path, [
      {
        pointer: '',
        message: `cannot read the file: ${(error as Error).message}`,
        fix: 'pass the path of an existing, readable JSON file',
      },
    ]);
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  try {
    return { config: parseConfig(bytes.toString('utf8'), path), hash };
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.source, error.issues, hash);
    throw error;
  }
}

/** Parses and validates config text; `source` names it in errors. */
export function parseConfig(text: string, source: string): BalancerConfig {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(source, [
      {
        pointer: '',
        message: `not valid JSON: ${(error as Error).message}`,
        fix: 'correct the JSON syntax at the position given',
      },
    ]);
  }
  const result = validateConfig(document);
  if (!result.ok) throw new ConfigError(source, result.issues);
  return result.config;
}

/** Renders issues one per line: "  /pools/app/backends/0/address: <what>. Fix: <how>". */
export function formatIssues(source: string, issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? '1 error' : `${issues.length} errors`;
  const lines = issues.map(
    (issue) => `  ${issue.pointer || '(document)'}: ${issue.message}. Fix: ${issue.fix}`,
  );
  return [`invalid config ${source} (${count}):`, ...lines].join('\n');
}
