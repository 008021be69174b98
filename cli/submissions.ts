import { dirname, resolve } from 'node:path';

/** One submission to grade, as lbspec settings for its run. */
export interface Submission {
  readonly name: string;
  /** LBSPEC_ variables of its run: its command or image, capabilities, directory. */
  readonly settings: Record<string, string>;
}

// What a submission entry may say, and the setting each becomes; "path" ones are relative to the file.
const fields = {
  command: { variable: 'LBSPEC_COMMAND' },
  image: { variable: 'LBSPEC_IMAGE' },
  imageArgs: { variable: 'LBSPEC_IMAGE_ARGS' },
  capabilities: { variable: 'LBSPEC_CAPABILITIES' },
  capabilitiesFile: { variable: 'LBSPEC_CAPABILITIES_FILE', path: true },
  directory: { variable: 'LBSPEC_WORKDIR', path: true },
  reload: { variable: 'LBSPEC_RELOAD' },
  version: { variable: 'LBSPEC_VERSION' },
} as const satisfies Record<string, { variable: string; path?: boolean }>;

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
      const field = fields[key as keyof typeof fields];
      if (field === undefined)
        throw new Error(
          `${where} (${name}): unknown key "${key}"; known: name, ${Object.keys(fields).join(', ')}`,
        );
      if (typeof value !== 'string') throw new Error(`${where} (${name}): "${key}" must be a string`);
      settings[field.variable] = 'path' in field ? resolve(base, value) : value;
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
