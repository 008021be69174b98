// Runs workloads against each balancing algorithm and writes reports/compare.md, compare.html and
// its SVG charts. See `npm run compare -- --help`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AdapterDescription, BalancerAdapter } from '../harness/adapters/adapter.ts';
import { selectAdapter } from '../harness/adapters/select.ts';
import { processBackendProvider } from '../harness/backends/process-provider.ts';
import { type AlgorithmSetup, algorithmSetups } from '../harness/compare/algorithms.ts';
import {
  type ComparisonRun,
  chartDirectory,
  comparisonHtml,
  comparisonMarkdown,
  type WorkloadOutcome,
  workloadCharts,
} from '../harness/compare/compare-report.ts';
import { type CellResult, runCell } from '../harness/compare/drive.ts';
import { type CellSummary, findings, summarise } from '../harness/compare/findings.ts';
import { fullScale, quickScale, type Workload, workloads } from '../harness/compare/workloads.ts';
import { PortAllocator } from '../harness/processes/ports.ts';
import { guardAgainstLeaks } from '../harness/processes/processes.ts';
import type { Capability } from '../harness/spec/capabilities.ts';
import { namedIn, readCommandLine } from './command-line.ts';

const usage = `usage: npm run compare -- [--quick] [--only WORKLOADS] [--algorithms IDS] [--balancer ADAPTER] [--out DIR]
  Runs each workload against each algorithm on a balancer started for it, over real backends, and
  writes DIR/compare.md, DIR/compare.html and the charts in DIR/${chartDirectory}/.
  --quick       few requests per cell: the whole comparison in about a minute (CI runs it)
  --only        workloads, comma-separated: ${workloads.map((workload) => workload.id).join(', ')}
  --algorithms  algorithms, comma-separated: ${algorithmSetups.map((setup) => setup.id).join(', ')}
  --balancer    the adapter to compare on (default: reference; as LBSPEC_ADAPTER: nginx, haproxy,
                caddy, command with LBSPEC_COMMAND); algorithms it does not declare are listed as not run
  --out         where the reports go (default: reports)`;

const { values: options } = readCommandLine(usage, {
  quick: { type: 'boolean', default: false },
  only: { type: 'string' },
  algorithms: { type: 'string' },
  balancer: { type: 'string', default: 'reference' },
  out: { type: 'string', default: 'reports' },
});

const chosenWorkloads = namedIn(workloads, ({ id }) => id, options.only, 'workloads', usage);
const chosenAlgorithms = namedIn(algorithmSetups, ({ id }) => id, options.algorithms, 'algorithms', usage);
const scale = options.quick ? quickScale : fullScale;
const ports = new PortAllocator();

/** Why a balancer declaring `declared` cannot run `algorithm` in `workload`, or undefined when it can. */
function missing(
  declared: AdapterDescription,
  workload: Workload,
  algorithm: AlgorithmSetup,
): string | undefined {
  const needs: Capability[] = ['l7', ...algorithm.needs, ...workload.needs];
  const lacking = needs.filter((capability) => !declared.capabilities.supported.includes(capability));
  if (lacking.length === 0) return undefined;
  return lacking
    .map((capability) => `${capability}: ${declared.capabilities.reasons[capability] ?? 'not declared'}`)
    .join('; ');
}

async function compareWorkload(
  adapter: BalancerAdapter,
  declared: AdapterDescription,
  workload: Workload,
): Promise<WorkloadOutcome> {
  const backends = await processBackendProvider.start(
    workload.backends.map((backend) => ({ id: backend.id, protocol: 'http' as const })),
  );
  try {
    for (const [index, backend] of backends.entries())
      await backend.setBehaviour({ latencyMs: workload.backends[index]?.latencyMs ?? 0 });
    const rig = { adapter, backends, freeAddress: async () => `127.0.0.1:${await ports.allocate()}` };
    const cells: CellResult[] = [];
    const summaries: CellSummary[] = [];
    const skipped: { algorithm: string; reason: string }[] = [];
    const idsAtEnd = workload.backends
      .map((backend) => backend.id)
      .slice(workload.event === 'membership' ? 1 : 0);
    for (const algorithm of chosenAlgorithms) {
      const reason = missing(declared, workload, algorithm);
      if (reason !== undefined) {
        skipped.push({ algorithm: algorithm.label, reason });
        continue;
      }
      const cellBegan = performance.now();
      const cell = await runCell(rig, workload, algorithm, scale);
      const summary = summarise(cell, algorithm, idsAtEnd);
      cells.push(cell);
      summaries.push(summary);
      process.stdout.write(
        `${workload.id} / ${algorithm.id}: p99 ${summary.p99.toFixed(1)} ms, ${summary.errors} errors (${((performance.now() - cellBegan) / 1000).toFixed(1)} s)\n`,
      );
    }
    const context = {
      backends: workload.event === 'membership' ? workload.backends.length - 1 : workload.backends.length,
      ...(workload.event === 'recovery' ? { burst: scale.burst } : {}),
    };
    return { workload, cells, summaries, findings: findings(summaries, context), skipped };
  } finally {
    await processBackendProvider.release(backends, false);
  }
}

async function main(): Promise<void> {
  // Backends and balancers end with the comparison, also on Ctrl-C.
  guardAgainstLeaks();
  const began = performance.now();
  const adapter = selectAdapter(undefined, { ...process.env, LBSPEC_ADAPTER: options.balancer });
  const declared = await adapter.describe();
  const outcomes: WorkloadOutcome[] = [];
  try {
    for (const workload of chosenWorkloads) outcomes.push(await compareWorkload(adapter, declared, workload));
  } finally {
    ports.releaseAll();
  }
  const run: ComparisonRun = {
    balancer: declared.name,
    mode: options.quick ? 'quick' : 'full',
    scale,
    date: new Date().toISOString().slice(0, 10),
    durationMs: performance.now() - began,
    outcomes,
  };
  writeReports(run);
}

function writeReports(run: ComparisonRun): void {
  const charts = new Map(run.outcomes.map((outcome) => [outcome, workloadCharts(outcome)]));
  rmSync(join(options.out, chartDirectory), { recursive: true, force: true });
  for (const chart of [...charts.values()].flat()) {
    const path = join(options.out, chart.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, chart.svg);
  }
  writeFileSync(join(options.out, 'compare.md'), comparisonMarkdown(run));
  writeFileSync(
    join(options.out, 'compare.html'),
    comparisonHtml(run, (outcome) => charts.get(outcome) ?? []),
  );
  process.stdout.write(
    `wrote ${join(options.out, 'compare.md')} and compare.html (${[...charts.values()].flat().length} charts) in ${(run.durationMs / 1000).toFixed(1)} s\n`,
  );
}

try {
  await main();
} catch (error) {
  process.stderr.write(`compare: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
