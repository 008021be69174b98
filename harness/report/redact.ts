/**
 * A config as reports may show it: every secret (a sticky-session "secret", the admin "token", the
 * API keys a rate limit's "overrides" name) replaced by its length, so evidence never carries one.
 */
export function redactSecrets(value: unknown, key = ''): unknown {
  if (typeof value === 'string')
    return secretKeys.has(key) ? `<redacted: ${value.length} characters>` : value;
  if (Array.isArray(value))
    return value.map((item) => redactSecrets(item, key === 'overrides' ? 'override' : ''));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [
      name,
      redactSecrets(inner, key === 'override' && name === 'key' ? 'override key' : name),
    ]),
  );
}

const secretKeys = new Set(['secret', 'token', 'override key']);
