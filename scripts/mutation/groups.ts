/**
 * The reference's decision modules, in the groups `npm run mutation` measures one after another,
 * each with the scenarios that can reach it (all of them unless `tags` narrows them).
 */
export interface MutationGroup {
  readonly name: string;
  readonly files: readonly string[];
  /** A cucumber tag expression; absent: every scenario. */
  readonly tags?: string;
}

import groups from './groups.json' with { type: 'json' };

/**
 * The groups, kept as data that stryker.config.mjs reads too: one file or glob per pattern, since
 * run-groups.ts hands them to Stryker's --mutate, which splits its value at every comma. Nearly
 * every scenario reaches the wire readers, so a survivor there would run the whole suite: the
 * scenarios about the proxy's framing and faults judge them, and can only count fewer mutants
 * killed. The TLS and HTTP/2 fronts are reached by their own scenarios only.
 */
export const mutationGroups: readonly MutationGroup[] = groups;

/** The score Stryker gives: mutants detected (killed or timed out) over those that could be. */
export function mutationScore(statuses: readonly string[]): {
  detected: number;
  valid: number;
  score: number;
} {
  const detected = statuses.filter((status) => status === 'Killed' || status === 'Timeout').length;
  const valid =
    detected + statuses.filter((status) => status === 'Survived' || status === 'NoCoverage').length;
  return { detected, valid, score: valid === 0 ? 100 : (100 * detected) / valid };
}
