import type { HeaderRules } from '../config/types.ts';

/**
 * Flat [name, value, ...] headers after `rules`: every header `remove` or `set` names goes, then
 * each `set` header is added once and each `add` header appended beside those already there.
 */
export function applyToHeaderList(headers: readonly string[], rules: HeaderRules | undefined): string[] {
  if (!rules) return [...headers];
  const gone = new Set([...(rules.remove ?? []), ...Object.keys(rules.set ?? {})].map(lower));
  const kept: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (!gone.has(name.toLowerCase())) kept.push(name, headers[i + 1] as string);
  }
  for (const [name, value] of Object.entries(rules.set ?? {})) kept.push(name, value);
  for (const [name, value] of Object.entries(rules.add ?? {})) kept.push(name, value);
  return kept;
}

/** Headers keyed by lowercased name (as node gives a response's) after `rules`, as above. */
export function applyToHeaderRecord(
  headers: Readonly<Record<string, string | string[]>>,
  rules: HeaderRules | undefined,
): Record<string, string | string[]> {
  if (!rules) return { ...headers };
  const result: Record<string, string | string[]> = { ...headers };
  for (const name of rules.remove ?? []) delete result[lower(name)];
  for (const [name, value] of Object.entries(rules.set ?? {})) result[lower(name)] = value;
  for (const [name, value] of Object.entries(rules.add ?? {})) {
    const existing = result[lower(name)];
    result[lower(name)] = existing === undefined ? value : [...[existing].flat(), value];
  }
  return result;
}

function lower(name: string): string {
  return name.toLowerCase();
}
