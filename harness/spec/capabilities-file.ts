import {
  allCapabilities,
  type Capability,
  capabilities,
  type DeclaredCapabilities,
  declareCapabilities,
  isCapability,
} from './capabilities.ts';

/**
 * A capabilities file, in either of its two shapes:
 *   {"supported": ["l7", "round-robin"], "unsupported": {"l4": "HTTP only"}}
 *   {"capabilities": {"l7": {"supported": true}, "l4": {"supported": false, "reason": "HTTP only"}}}
 * The second is what `lbspec init` writes: every capability listed with its meaning, all off, for
 * the user to switch on; a value may also be a plain true or false. A capability the file does not
 * name is unsupported (a later version of the suite may add some); a name the suite does not know
 * is an error, since a typo would otherwise turn scenarios unsupported without a word.
 */
export function parseCapabilitiesFile(document: unknown, source: string): DeclaredCapabilities {
  if (isObject(document) && Array.isArray(document.supported)) return parseListShape(document, source);
  if (isObject(document) && isObject(document.capabilities))
    return parseTableShape(document.capabilities, source);
  throw new Error(
    `${source}: expected {"capabilities": {"l7": {"supported": true}, ...}} (as \`lbspec init\` writes it) or {"supported": ["l7", ...], "unsupported": {"l4": "why"}}`,
  );
}

function parseListShape(document: Record<string, unknown>, source: string): DeclaredCapabilities {
  const supported = (document.supported as unknown[]).map((name) => known(name, source, '"supported"'));
  const reasons: Partial<Record<Capability, string>> = {};
  const unsupported = document.unsupported ?? {};
  if (!isObject(unsupported)) throw new Error(`${source}: "unsupported" must map capabilities to reasons`);
  for (const [name, reason] of Object.entries(unsupported)) {
    reasons[known(name, source, '"unsupported"')] = String(reason);
  }
  return declareCapabilities(supported, `not declared in ${source}`, reasons);
}

function parseTableShape(table: Record<string, unknown>, source: string): DeclaredCapabilities {
  const supported: Capability[] = [];
  const reasons: Partial<Record<Capability, string>> = {};
  for (const [name, entry] of Object.entries(table)) {
    const capability = known(name, source, '"capabilities"');
    const on = typeof entry === 'boolean' ? entry : isObject(entry) ? entry.supported : undefined;
    if (typeof on !== 'boolean') {
      throw new Error(
        `${source}: capabilities."${name}" must be true, false or {"supported": true|false}, not ${JSON.stringify(entry)}`,
      );
    }
    if (on) supported.push(capability);
    else if (isObject(entry) && typeof entry.reason === 'string' && entry.reason.trim() !== '')
      reasons[capability] = entry.reason;
  }
  return declareCapabilities(supported, `switched off in ${source}`, reasons);
}

/** Every capability with its meaning, all off: the table a user switches on entry by entry. */
export function capabilityTable(): Record<Capability, { supported: false; meaning: string }> {
  return Object.fromEntries(
    allCapabilities.map((name) => [name, { supported: false, meaning: capabilities[name] }]),
  ) as Record<Capability, { supported: false; meaning: string }>;
}

function known(name: unknown, source: string, where: string): Capability {
  if (typeof name === 'string' && isCapability(name)) return name;
  throw new Error(
    `${source}: ${where} names unknown capability ${JSON.stringify(name)}; \`lbspec list capabilities\` shows the known ones`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
