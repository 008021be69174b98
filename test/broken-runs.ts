/** One run of the suite against many broken balancers: which one each of its scenarios meets. */
export type BrokenRun = ReadonlyMap<string, string>;

/**
 * Spreads each broken balancer's scenarios (by id) over at least `runs` runs, as evenly as it can,
 * such that no run holds a scenario twice (one run executes each scenario once). As many runs as
 * the scenario broken by the most balancers needs, if that is more.
 */
export function spreadOverRuns(
  breaks: Readonly<Record<string, readonly string[]>>,
  runs: number,
): BrokenRun[] {
  const plan: Map<string, string>[] = Array.from({ length: runs }, () => new Map());
  for (const [balancer, scenarios] of Object.entries(breaks)) {
    for (const scenario of scenarios) {
      const free = plan.filter((run) => !run.has(scenario));
      const emptiest = free.reduce<Map<string, string> | undefined>(
        (best, run) => (best === undefined || run.size < best.size ? run : best),
        undefined,
      );
      const run = emptiest ?? new Map<string, string>();
      if (!emptiest) plan.push(run);
      run.set(scenario, balancer);
    }
  }
  return plan.filter((run) => run.size > 0);
}
