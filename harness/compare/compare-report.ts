/**
 * The comparison as reports: compare.md (tables and findings) and compare.html (the same, with
 * SVG charts written beside it), built from the measured cells only.
 */
import { escapeHtml, htmlPage } from '../report/html-page.ts';
import {
  type Bar,
  formatNumber,
  type LineChart,
  renderBarChart,
  renderLineChart,
} from '../report/svg-chart.ts';
import type { CellResult } from './drive.ts';
import type { CellSummary } from './findings.ts';
import type { Workload } from './workloads.ts';

/** A workload's outcome: its cells (one per algorithm that ran), their summaries, the findings. */
export interface WorkloadOutcome {
  readonly workload: Workload;
  readonly cells: readonly CellResult[];
  readonly summaries: readonly CellSummary[];
  readonly findings: readonly string[];
  /** Algorithms the balancer does not declare what they need for, with the reason. */
  readonly skipped: readonly { readonly algorithm: string; readonly reason: string }[];
}

export interface ComparisonRun {
  readonly balancer: string;
  readonly mode: 'quick' | 'full';
  readonly scale: { readonly requests: number; readonly concurrency: number };
  readonly date: string;
  readonly durationMs: number;
  readonly outcomes: readonly WorkloadOutcome[];
}

/** An SVG chart of the report: its file (beside compare.html, under `chartDirectory`) and content. */
export interface ChartFile {
  readonly path: string;
  readonly svg: string;
}

export const chartDirectory = 'compare-charts';

const fixed = (value: number) => (Number.isFinite(value) ? formatNumber(value) : '-');
const percent = (value: number) => `${(100 * value).toFixed(0)}%`;

function tableRows(outcome: WorkloadOutcome): { head: string[]; rows: string[][] } {
  const hasKeys = outcome.summaries.some((summary) => summary.keysMoved);
  const hasRecovery = outcome.summaries.some((summary) => summary.recoveredPeak !== undefined);
  const head = [
    'algorithm',
    'p50 ms',
    'p99 ms',
    'p99.9 ms',
    'errors',
    'most in flight on one backend',
    'busiest / least busy',
    'requests per backend',
    ...(hasKeys ? ['keys moved: join', 'keys moved: leave'] : []),
    ...(hasRecovery ? ['in flight on the recovered backend'] : []),
  ];
  const rows = outcome.summaries.map((summary) => {
    const cell = outcome.cells.find((candidate) => candidate.algorithm === summary.algorithm);
    const counts = Object.entries(cell?.counts ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, count]) => `${id} ${count}`)
      .join(', ');
    return [
      summary.label,
      fixed(summary.p50),
      fixed(summary.p99),
      fixed(summary.p999),
      `${summary.errors}`,
      `${summary.mostInFlight}`,
      Number.isFinite(summary.imbalance) ? summary.imbalance.toFixed(2) : 'a backend got none',
      counts,
      ...(hasKeys
        ? [percent(summary.keysMoved?.joined ?? Number.NaN), percent(summary.keysMoved?.left ?? Number.NaN)]
        : []),
      ...(hasRecovery ? [`${summary.recoveredPeak ?? '-'}`] : []),
    ];
  });
  return { head, rows };
}

function heading(run: ComparisonRun): string {
  const shortNames = new Map<string, string>();
  for (const summary of run.outcomes.flatMap((outcome) => outcome.summaries))
    shortNames.set(summary.short, summary.label);
  const legend = [...shortNames].map(([short, label]) => `${short} = ${label}`).join(', ');
  return `${run.balancer}, ${run.mode} run (${run.scale.requests} requests per cell at ${run.scale.concurrency} at once), ${run.date}, ${(run.durationMs / 1000).toFixed(0)} s. In the charts: ${legend}.`;
}

export function comparisonMarkdown(run: ComparisonRun): string {
  const lines = ['# Algorithms side by side', '', heading(run), ''];
  for (const outcome of run.outcomes) {
    lines.push(`## ${outcome.workload.title}`, '', outcome.workload.about, '');
    const { head, rows } = tableRows(outcome);
    if (rows.length > 0) {
      lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`);
      for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
      lines.push('');
    }
    for (const finding of outcome.findings) lines.push(`- ${finding}`);
    for (const { algorithm, reason } of outcome.skipped) lines.push(`- Not run: ${algorithm} (${reason}).`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** The charts of one workload: latency percentiles, peaks, errors, keys moved, and load over time. */
export function workloadCharts(outcome: WorkloadOutcome): ChartFile[] {
  const { workload, summaries, cells } = outcome;
  if (summaries.length === 0) return [];
  const file = (name: string) => `${chartDirectory}/${workload.id}-${name}.svg`;
  const categories = summaries.map((summary, index) => ({ value: index, label: summary.short }));
  const perAlgorithm = (name: string, value: (summary: CellSummary) => number) =>
    [name, summaries.map((summary, index) => [index, value(summary)] as const)] as const;
  const latency: LineChart = {
    title: `${workload.title}: latency percentiles`,
    xLabel: 'algorithm',
    yLabel: 'ms',
    xTicks: categories,
    xDomain: [-0.5, summaries.length - 0.5],
    describeX: (x) => summaries[x]?.label ?? String(x),
    series: [
      perAlgorithm('p50', (summary) => summary.p50),
      perAlgorithm('p99', (summary) => summary.p99),
      perAlgorithm('p99.9', (summary) => summary.p999),
    ].map(([name, points]) => ({ name, points, style: 'points' as const })),
  };
  const bars = (value: (summary: CellSummary) => number): Bar[] =>
    summaries.map((summary) => ({ label: summary.short, value: value(summary) }));
  const charts: ChartFile[] = [
    { path: file('latency'), svg: renderLineChart(latency) },
    {
      path: file('in-flight'),
      svg: renderBarChart({
        title: `${workload.title}: most requests in flight on one backend`,
        xLabel: 'algorithm',
        yLabel: 'requests',
        bars: bars((summary) => summary.mostInFlight),
      }),
    },
    {
      path: file('errors'),
      svg: renderBarChart({
        title: `${workload.title}: failed requests`,
        xLabel: 'algorithm',
        yLabel: 'requests',
        bars: bars((summary) => summary.errors),
      }),
    },
  ];
  if (summaries.some((summary) => summary.keysMoved)) {
    for (const change of ['joined', 'left'] as const) {
      charts.push({
        path: file(`keys-moved-${change}`),
        svg: renderBarChart({
          title: `${workload.title}: keys moved when a backend ${change}`,
          xLabel: 'algorithm',
          yLabel: '% of keys',
          bars: bars((summary) => 100 * (summary.keysMoved?.[change] ?? 0)),
        }),
      });
    }
  }
  if (summaries.some((summary) => summary.recoveredPeak !== undefined)) {
    charts.push({
      path: file('recovered'),
      svg: renderBarChart({
        title: `${workload.title}: the burst in flight on the recovered backend`,
        xLabel: 'algorithm',
        yLabel: 'requests',
        bars: bars((summary) => summary.recoveredPeak ?? 0),
      }),
    });
  }
  for (const cell of cells) {
    const label = summaries.find((summary) => summary.algorithm === cell.algorithm)?.label ?? cell.algorithm;
    charts.push({
      path: file(`load-${cell.algorithm}`),
      svg: renderLineChart({
        title: `${workload.title}, ${label}: requests sent to each backend per ${cell.load.bucketMs} ms`,
        xLabel: 'ms since the traffic began',
        yLabel: 'requests',
        series: Object.entries(cell.load.rows).map(([backend, counts]) => ({
          name: backend,
          points: counts.map((count, index) => [index * cell.load.bucketMs, count] as const),
          style: 'step' as const,
        })),
      }),
    });
  }
  return charts;
}

export function comparisonHtml(
  run: ComparisonRun,
  chartsOf: (outcome: WorkloadOutcome) => readonly ChartFile[],
): string {
  const sections = run.outcomes.map((outcome) => {
    const { head, rows } = tableRows(outcome);
    const charts = chartsOf(outcome);
    const table =
      rows.length === 0
        ? ''
        : `<table><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>${rows
            .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
            .join('')}</tbody></table>`;
    const notes = [
      ...outcome.findings,
      ...outcome.skipped.map(({ algorithm, reason }) => `Not run: ${algorithm} (${reason}).`),
    ];
    return `<section class="workload" id="workload-${escapeHtml(outcome.workload.id)}" data-charts="${charts.length}">
<h2>${escapeHtml(outcome.workload.title)}</h2>
<p>${escapeHtml(outcome.workload.about)}</p>
<ul>${notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>
${table}
${charts.map((chart) => `<img class="chart" src="${escapeHtml(chart.path)}" alt="${escapeHtml(chart.path)}">`).join('\n')}
</section>`;
  });
  return htmlPage('Algorithms side by side', `<p>${escapeHtml(heading(run))}</p>\n${sections.join('\n')}`);
}
