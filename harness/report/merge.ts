import {
  assembleReport,
  type ConformanceReport,
  type ScenarioResult,
  uniqueDirectory,
} from './conformance.ts';

/** One shard's report and where it came from (its reports directory). */
export interface Shard {
  readonly source: string;
  readonly report: ConformanceReport;
}

/** An evidence file of a shard, and where the merged report has it. */
export interface EvidenceMove {
  readonly source: string;
  readonly from: string;
  readonly to: string;
}

/**
 * Joins the reports of shards of one run (`--shard i/n`) into the report one run of all of them
 * gives: every scenario once, totals, tables and verdict recomputed, the run spanning from the first
 * shard's start to the last one's end. Shards of different balancers, or a scenario in two shards
 * (the same shard given twice), are an error: the verdict would claim what no run showed.
 */
export function mergeShards(shards: readonly Shard[]): { report: ConformanceReport; moves: EvidenceMove[] } {
  if (shards.length === 0) throw new Error('no shard reports to merge');
  checkOneBalancer(shards);
  const seen = new Map<string, string>();
  const taken = new Set<string>();
  const moves: EvidenceMove[] = [];
  const scenarios: ScenarioResult[] = [];
  for (const { source, report } of shards) {
    for (const scenario of report.scenarios) {
      const key = scenario.id ?? `${scenario.uri}: ${scenario.name}`;
      const earlier = seen.get(key);
      if (earlier !== undefined)
        throw new Error(
          `scenario ${key} is in both ${earlier} and ${source}: give each shard's reports once`,
        );
      seen.set(key, source);
      scenarios.push(relocated(scenario, source, taken, moves));
    }
  }
  const starts = shards.map(({ report }) => Date.parse(report.startedAt));
  const ends = shards.map(({ report }) => Date.parse(report.startedAt) + report.durationMs);
  const interruptions = shards.flatMap(({ report }) => (report.interrupted ? [report.interrupted] : []));
  const providers = [...new Set(shards.map(({ report }) => report.backendProvider))];
  const report = assembleReport(
    {
      adapter: shards.find(({ report }) => report.adapter !== null)?.report.adapter ?? null,
      backendProvider: providers.join(', '),
      startedAt: new Date(Math.min(...starts)).toISOString(),
      durationMs: Math.max(...ends) - Math.min(...starts),
      ...(interruptions.length === 0
        ? {}
        : {
            interrupted: {
              signal: interruptions[0]?.signal ?? 'SIGINT',
              unfinished: interruptions.reduce((sum, each) => sum + each.unfinished, 0),
            },
          }),
    },
    scenarios,
  );
  return { report, moves };
}

function checkOneBalancer(shards: readonly Shard[]): void {
  const names = new Map<string, string>();
  for (const { source, report } of shards) {
    if (report.adapter) names.set(`${report.adapter.name} ${report.adapter.version}`, source);
  }
  if (names.size > 1) {
    const list = [...names].map(([name, source]) => `${name} (${source})`).join(', ');
    throw new Error(`the shards ran different balancers: ${list}; merge the shards of one run`);
  }
}

// The scenario with its evidence under a directory of the merged report (numbered where two shards
// used the same one), and the copies that puts it there.
function relocated(
  scenario: ScenarioResult,
  source: string,
  taken: Set<string>,
  moves: EvidenceMove[],
): ScenarioResult {
  if (!scenario.evidence || scenario.evidence.length === 0) return scenario;
  const directory = uniqueDirectory(taken, scenario.uri, scenario.name);
  const evidence = scenario.evidence.map((from) => {
    const to = `${directory}/${from.slice(from.lastIndexOf('/') + 1)}`;
    moves.push({ source, from, to });
    return to;
  });
  return { ...scenario, evidence };
}
