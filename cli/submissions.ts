import { dirname, resolve } from 'node:path';
import { projectFileSettings } from './project-file.ts';

/** One submission to grade, as lbspec settings for its run. */
export interface Submission {
  readonly name: string;
  /** LBSPEC_ variables of its run: its command or image, capabilities, directory. */
  readonly settings: Record<string, string>;
}

// What a submission entry may say, and the setting each becomes: what a project file says (its
// name is the submission's), its capabilities, and paths relative to the submissions file.
const { name: _, ...projectFields } = projectFileSettings;
const pathFields: Readonly<Record<string, string>> = {
  capabilitiesFile: 'LBSPEC_CAPABILITIES_FILE',
  directory: 'LBSPEC_WORKDIR',
};
const fields: Readonly<Record<string, string>> = {
  ...projectFields,
  capabilities: 'LBSPEC_CAPABILITIES',
  ...pathFields,
};

/**
 * Reads a submissions file: `{"submissions": [{"name": "alice", "command": "./lb --config {config}",
 * "directory": "alice"}, ...]}` (or the list alone). Each needs a name, unique and fit for a
 * directory, and a command or an image; paths are relative to the file.
 */
export function parseSubmissions(document: unknown, file: string): Submission[] {
  const list = Array.isArray(document) ? document : (document as { submissions?: unknown })?.submissions;
  if (!Array.isArray(list) || list.length === 0)
    throw new Error(`${file}: expected {"submissions": [{"name": "alice", "command": "..."}, ...]}`);
  const base = dirname(file);
  const submissions = list.map((entry: unknown, index) => {
    const where = `${file}: submission ${index + 1}`;
    if (typeof entry !== 'object' || entry === null) throw new Error(`${where} is not an object`);
    const { name, ...rest } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || !/^[\w.-]+$/.test(name))
      throw new Error(`${where}: "name" must be letters, digits, ".", "_" or "-" (it names a directory)`);
    const settings: Record<string, string> = { LBSPEC_NAME: name };
    for (const [key, value] of Object.entries(rest)) {
      const variable = Object.hasOwn(fields, key) ? fields[key] : undefined;
      if (variable === undefined)
        throw new Error(
          `${where} (${name}): unknown key "${key}"; known: name, ${Object.keys(fields).join(', ')}`,
        );
      if (typeof value !== 'string') throw new Error(`${where} (${name}): "${key}" must be a string`);
      settings[variable] = key in pathFields ? resolve(base, value) : value;
    }
    return { name, settings: withAdapter(settings, `${where} (${name})`) };
  });
  return unique(submissions, file);
}

/** `--submission NAME=COMMAND` on the command line. */
export function parseSubmissionOption(text: string): Submission {
  const equals = text.indexOf('=');
  const name = text.slice(0, equals);
  if (equals <= 0 || !/^[\w.-]+$/.test(name) || text.slice(equals + 1).trim() === '')
    throw new Error(
      `--submission "${text}": expected NAME=COMMAND, e.g. alice="./alice/lb --config {config}"`,
    );
  return {
    name,
    settings: { LBSPEC_NAME: name, LBSPEC_ADAPTER: 'command', LBSPEC_COMMAND: text.slice(equals + 1) },
  };
}

function withAdapter(settings: Record<string, string>, where: string): Record<string, string> {
  if (settings.LBSPEC_COMMAND && settings.LBSPEC_IMAGE)
    throw new Error(`${where}: give a command or an image, not both`);
  if (settings.LBSPEC_IMAGE) return { ...settings, LBSPEC_ADAPTER: 'container' };
  if (settings.LBSPEC_COMMAND) return { ...settings, LBSPEC_ADAPTER: 'command' };
  throw new Error(`${where}: needs "command" (or "image")`);
}

/** Checks names are unique: each names its reports directory. */
export function unique(submissions: Submission[], source: string): Submission[] {
  const names = new Set<string>();
  for (const { name } of submissions) {
    if (names.has(name)) throw new Error(`${source}: two submissions are named "${name}"`);
    names.add(name);
  }
  return submissions;
}
