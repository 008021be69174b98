import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConformanceReport, ScenarioResult } from './conformance.ts';
import { buildMatrix, renderMatrixHtml, renderMatrixMarkdown } from './matrix.ts';

function report(name: string, scenarios: Partial<ScenarioResult>[]): ConformanceReport {
  const full = scenarios.map((s) => ({
    name: 'x',
    feature: 'Round robin',
    uri: 'features/round-robin.feature',
    tags: ['@task-01', '@l7'],
    outcome: 'passed' as const,
    durationMs: 1,
    ...s,
  }));
  return {
    adapter: { name, version: '1.0', capabilities: { supported: [], reasons: {} } },
    backendProvider: 'process',
    startedAt: '',
    durationMs: 0,
    verdict: full.some((s) => s.outcome === 'failed') ? 'fail' : 'pass',
    totals: { passed: 0, failed: 0, unsupported: 0, skipped: 0 },
    byFeature: [],
    byTask: [],
    scenarios: full,
  };
}

test('the matrix lines scenarios up across balancers and fails on any failure', () => {
  const matrix = buildMatrix(
    [
      {
        adapter: 'reference',
        report: report('reference', [{ name: 'even' }, { name: 'tcp', tags: ['@task-01', '@l4'] }]),
      },
      {
        adapter: 'nginx',
        report: report('nginx', [
          { name: 'even' },
          { name: 'tcp', outcome: 'unsupported', reason: 'nginx lacks l4: <no stream>' },
        ]),
      },
    ],
    new Date('2026-11-28T00:00:00Z'),
  );
  assert.equal(matrix.ok, true);
  assert.deepEqual(
    matrix.rows.map((row) => [row.scenario, row.tasks, row.cells.map((cell) => cell.outcome)]),
    [
      ['even', ['task-01'], ['passed', 'passed']],
      ['tcp', ['task-01'], ['passed', 'unsupported']],
    ],
  );
  const markdown = renderMatrixMarkdown(matrix);
  assert.match(markdown, /\| tcp \| task-01 \| passed \| unsupported: nginx lacks l4: <no stream> \|/);
  const html = renderMatrixHtml(matrix);
  assert.match(html, /<td class="unsupported" title="nginx lacks l4: &lt;no stream&gt;">unsupported/);
  assert.ok(!/<script|https?:/.test(html), 'the page must open from disk with nothing external');
});

test('a failed cell or a missing report makes the matrix fail', () => {
  const failed = buildMatrix(
    [{ adapter: 'a', report: report('a', [{ name: 'even', outcome: 'failed', reason: 'boom' }]) }],
    new Date(),
  );
  assert.equal(failed.ok, false);
  const missing = buildMatrix(
    [
      { adapter: 'a', report: report('a', [{ name: 'even' }]) },
      { adapter: 'b', report: undefined, problem: 'no report (cucumber exited 1)' },
    ],
    new Date(),
  );
  assert.equal(missing.ok, false);
  assert.deepEqual(missing.rows[0]?.cells[1], {
    outcome: 'missing',
    reason: 'no report (cucumber exited 1)',
  });
  assert.equal(missing.columns[1]?.verdict, 'no report');
});

test("a cell links the scenario's evidence in its balancer's conformance page", () => {
  const matrix = buildMatrix(
    [
      {
        adapter: 'nginx',
        reportsDir: 'matrix/nginx',
        report: report('nginx', [
          {
            name: 'even',
            outcome: 'failed',
            reason: 'uneven',
            evidence: [
              'evidence/round-robin/even/evidence.txt',
              'evidence/round-robin/even/requests-per-backend.svg',
            ],
          },
        ]),
      },
    ],
    new Date(),
  );
  const link = 'matrix/nginx/conformance.html#evidence/round-robin/even';
  assert.equal(matrix.rows[0]?.cells[0]?.evidence, link);
  assert.equal(matrix.columns[0]?.report, 'matrix/nginx/conformance.html');
  const html = renderMatrixHtml(matrix);
  assert.ok(html.includes(`<a href="${link}">evidence</a>`));
  assert.ok(html.includes('(<a href="matrix/nginx/conformance.html">report</a>)'));
});
