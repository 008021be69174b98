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

// Modules of reference/src/l7 by name, one pattern each: run-groups.ts hands the patterns to
// Stryker's --mutate, which splits its value at every comma, so a brace list would fall apart.
function l7(names: readonly string[]): string[] {
  return names.map((name) => `reference/src/l7/${name}.ts`);
}

export const mutationGroups: readonly MutationGroup[] = [
  { name: 'selection', files: ['reference/src/selection/**/*.ts'] },
  {
    name: 'health-resilience-limits',
    files: [
      'reference/src/health/**/*.ts',
      'reference/src/resilience/**/*.ts',
      'reference/src/limits/**/*.ts',
    ],
  },
  {
    name: 'routing',
    files: l7([
      'affinity',
      'hash-key',
      'header-rules',
      'request-vetting',
      'rewrite',
      'route-index',
      'router',
    ]),
  },
  {
    // Nearly every scenario reaches the wire readers, so a survivor would run the whole suite: the
    // scenarios about the proxy's framing and faults are enough to judge them, and can only count
    // fewer mutants killed.
    name: 'wire',
    files: l7(['wire/request-head', 'wire/response-reader', 'wire/syntax']),
    tags: '@task-06 or @security or @robustness or @timeouts',
  },
  {
    // The TLS and HTTP/2 fronts: only their own scenarios reach them.
    name: 'tls-http2',
    files: [...l7(['http2-front', 'tls-termination']), 'reference/src/l4/client-hello.ts'],
    tags: '@tls or @http2 or @grpc',
  },
];

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
