import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertWellFormed, markTitles } from '../report/svg-assertions.ts';
import {
  type ComparisonRun,
  comparisonHtml,
  comparisonMarkdown,
  type WorkloadOutcome,
  workloadCharts,
} from './compare-report.ts';
import type { CellResult } from './drive.ts';
import { findings, summarise } from './findings.ts';
import { workloads } from './workloads.ts';

const membership = workloads.find((workload) => workload.id === 'membership');
assert.ok(membership);

const cellOf = (algorithm: string, joined: number): CellResult => ({
  workload: 'membership',
  algorithm,
  latenciesMs: [10, 12, 30],
  errors: 0,
  counts: { b2: 10, b3: 12, b4: 11, b5: 9 },
  peaks: { b2: 2, b3: 3 },
  load: { bucketMs: 10, rows: { b1: [1, 0], b2: [2, 3] } },
  keysMoved: { joined, left: joined },
});

const cells = [cellOf('ring', 0.2), cellOf('round-robin', 0.8)];
const summaries = [
  summarise(cells[0] as CellResult, { label: 'ring hash', short: 'ring' }, ['b2', 'b3', 'b4', 'b5']),
  summarise(cells[1] as CellResult, { label: 'round robin', short: 'rr' }, ['b2', 'b3', 'b4', 'b5']),
];
const outcome: WorkloadOutcome = {
  workload: membership,
  cells,
  summaries,
  findings: findings(summaries, { backends: 4 }),
  skipped: [{ algorithm: 'Maglev', reason: 'maglev: not declared' }],
};
const run: ComparisonRun = {
  balancer: 'reference',
  mode: 'quick',
  scale: { requests: 3, concurrency: 1 },
  date: '2026-12-04',
  durationMs: 1000,
  outcomes: [outcome],
};

test('each workload gets latency, in-flight, error and keys-moved charts, and load over time per algorithm', () => {
  const charts = workloadCharts(outcome);
  assert.deepEqual(
    charts.map((chart) => chart.path),
    [
      'compare-charts/membership-latency.svg',
      'compare-charts/membership-in-flight.svg',
      'compare-charts/membership-errors.svg',
      'compare-charts/membership-keys-moved-joined.svg',
      'compare-charts/membership-keys-moved-left.svg',
      'compare-charts/membership-load-ring.svg',
      'compare-charts/membership-load-round-robin.svg',
    ],
  );
  for (const chart of charts) {
    assertWellFormed(chart.svg);
    assert.ok(markTitles(chart.svg).length > 0, chart.path);
  }
  assert.ok(markTitles(charts[3]?.svg ?? '').includes('ring: 20 % of keys'));
});

test('the markdown and the page carry the table, the findings, what did not run, and every chart', () => {
  const markdown = comparisonMarkdown(run);
  assert.match(markdown, /## A backend joins, one leaves/);
  assert.match(
    markdown,
    /\| ring hash \| 12 \| 30 \| 30 \| 0 \| 3 \| 1\.33 \| b2 10, b3 12, b4 11, b5 9 \| 20% \| 20% \|/,
  );
  assert.match(markdown, /- Keys moved when a backend joined: fewest with ring hash \(20%/);
  assert.match(markdown, /- Not run: Maglev \(maglev: not declared\)\./);
  assert.match(markdown, /In the charts: ring = ring hash, rr = round robin\./);
  const charts = workloadCharts(outcome);
  const html = comparisonHtml(run, () => charts);
  assert.match(html, /<section class="workload" id="workload-membership" data-charts="7">/);
  for (const chart of charts) assert.ok(html.includes(`<img class="chart" src="${chart.path}"`), chart.path);
});
