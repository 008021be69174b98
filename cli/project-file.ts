/** The settings a project file (lbspec.json) may hold besides its capabilities. */
export const projectFileSettings = {
  command: 'LBSPEC_COMMAND',
  name: 'LBSPEC_NAME',
  version: 'LBSPEC_VERSION',
  reload: 'LBSPEC_RELOAD',
  stopSignal: 'LBSPEC_STOP_SIGNAL',
  image: 'LBSPEC_IMAGE',
  imageArgs: 'LBSPEC_IMAGE_ARGS',
} as const;

/**
 * The settings of a project file (lbspec.json) besides its capabilities: the command, the name and
 * version reports give, the reload method, the graceful stop's signal, or an image. Each must be a string; a key the file has
 * that lbspec does not know is an error, since a typo ("comand") would otherwise go unnoticed.
 */
export function projectSettings(document: unknown, source: string): Record<string, string> {
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw new Error(`${source}: expected a JSON object, as \`lbspec init\` writes it`);
  const settings: Record<string, string> = {};
  const known = new Set([
    ...Object.keys(projectFileSettings),
    'capabilities',
    'supported',
    'unsupported',
    '$comment',
  ]);
  for (const [key, value] of Object.entries(document)) {
    if (!known.has(key))
      throw new Error(
        `${source}: unknown key "${key}"; known: ${[...known].filter((k) => !k.startsWith('$')).join(', ')}`,
      );
    const variable = projectFileSettings[key as keyof typeof projectFileSettings];
    if (variable === undefined) continue;
    if (typeof value !== 'string')
      throw new Error(`${source}: "${key}" must be a string, not ${JSON.stringify(value)}`);
    settings[variable] = value;
  }
  return settings;
}

/** Whether a project file declares capabilities (else they must come from elsewhere). */
export function declaresCapabilities(document: unknown): boolean {
  return (
    typeof document === 'object' &&
    document !== null &&
    ('capabilities' in document || 'supported' in document)
  );
}
