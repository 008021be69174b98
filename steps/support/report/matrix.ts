import type { ConformanceReport, Outcome } from './conformance.ts';

/** One balancer's column: its name as run, and its report (or why there is none). */
export interface MatrixColumn {
  readonly adapter: string;
  readonly report: ConformanceReport | undefined;
  /** Set when the run produced no report (e.g. the suite could not start). */
  readonly problem?: string;
}

export interface MatrixCell {
  readonly outcome: Outcome | 'missing';
  readonly reason?: string;
}

export interface MatrixRow {
  readonly feature: string;
  readonly uri: string;
  readonly scenario: string;
  readonly tasks: readonly string[];
  readonly cells: readonly MatrixCell[];
}

export interface Matrix {
  readonly date: string;
  readonly columns: readonly {
    adapter: string;
    name: string;
    version: string;
    verdict: string;
    problem?: string;
  }[];
  readonly rows: readonly MatrixRow[];
  /** True when no cell failed and every balancer produced a report. */
  readonly ok: boolean;
}

/** Lines up the scenarios of several runs, one row per scenario, one column per balancer. */
export function buildMatrix(columns: readonly MatrixColumn[], date: Date): Matrix {
  const rows = new Map<string, { feature: string; uri: string; scenario: string; tasks: string[] }>();
  for (const { report } of columns) {
    for (const scenario of report?.scenarios ?? []) {
      rows.set(`${scenario.uri}\n${scenario.name}`, {
        feature: scenario.feature,
        uri: scenario.uri,
        scenario: scenario.name,
        tasks: scenario.tags.filter((tag) => /^@task-\d\d$/.test(tag)).map((tag) => tag.slice(1)),
      });
    }
  }
  const matrixRows = [...rows.values()].map((row) => ({
    ...row,
    cells: columns.map((column): MatrixCell => {
      const found = column.report?.scenarios.find((s) => s.uri === row.uri && s.name === row.scenario);
      if (!found) return { outcome: 'missing', reason: column.problem ?? 'not in this run' };
      return found.reason === undefined
        ? { outcome: found.outcome }
        : { outcome: found.outcome, reason: found.reason };
    }),
  }));
  matrixRows.sort((a, b) => a.uri.localeCompare(b.uri));
  return {
    date: date.toISOString(),
    columns: columns.map((column) => ({
      adapter: column.adapter,
      name: column.report?.adapter?.name ?? column.adapter,
      version: column.report?.adapter?.version ?? 'unknown',
      verdict: column.report?.verdict ?? 'no report',
      ...(column.problem ? { problem: column.problem } : {}),
    })),
    rows: matrixRows,
    ok:
      columns.every((column) => column.report !== undefined) &&
      matrixRows.every((row) =>
        row.cells.every((cell) => cell.outcome !== 'failed' && cell.outcome !== 'missing'),
      ),
  };
}

const firstLine = (text: string) => (text.split('\n')[0] ?? '').slice(0, 160);

/** Markdown: a table per feature, a row per scenario, a column per balancer. */
export function renderMatrixMarkdown(matrix: Matrix): string {
  const header = `| scenario | tasks | ${matrix.columns.map((c) => `${c.name} ${c.version}`).join(' | ')} |`;
  const rule = `|---|---|${matrix.columns.map(() => '---').join('|')}|`;
  const lines = [
    '# Conformance matrix',
    '',
    `${matrix.date}: **${matrix.ok ? 'every declared capability passes' : 'FAILURES'}**`,
    '',
    ...matrix.columns.map(
      (c) => `- ${c.name} ${c.version}: ${c.verdict}${c.problem ? ` (${c.problem})` : ''}`,
    ),
  ];
  for (const feature of [...new Set(matrix.rows.map((row) => row.feature))]) {
    lines.push('', `## ${feature}`, '', header, rule);
    for (const row of matrix.rows.filter((r) => r.feature === feature)) {
      const cells = row.cells.map((cell) =>
        cell.reason ? `${cell.outcome}: ${firstLine(cell.reason)}` : cell.outcome,
      );
      lines.push(`| ${row.scenario} | ${row.tasks.join(' ')} | ${cells.join(' | ').replaceAll('\n', ' ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A self-contained HTML page (inline style, no scripts, no external files): opens from disk. */
export function renderMatrixHtml(matrix: Matrix): string {
  const head = matrix.columns
    .map((c) => `<th>${escapeHtml(c.name)}<br><small>${escapeHtml(c.version)}</small></th>`)
    .join('');
  const body: string[] = [];
  for (const feature of [...new Set(matrix.rows.map((row) => row.feature))]) {
    body.push(
      `<tr class="feature"><th colspan="${matrix.columns.length + 2}">${escapeHtml(feature)}</th></tr>`,
    );
    for (const row of matrix.rows.filter((r) => r.feature === feature)) {
      const cells = row.cells
        .map((cell) => {
          const reason = cell.reason ? `<div class="reason">${escapeHtml(firstLine(cell.reason))}</div>` : '';
          return `<td class="${cell.outcome}" title="${escapeHtml(cell.reason ?? cell.outcome)}">${cell.outcome}${reason}</td>`;
        })
        .join('');
      body.push(
        `<tr><td>${escapeHtml(row.scenario)}</td><td class="tasks">${row.tasks.join(' ')}</td>${cells}</tr>`,
      );
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lbspec conformance matrix</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1d1d1f; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d0d5; padding: 6px 10px; text-align: left; vertical-align: top; }
thead th { background: #f3f3f6; }
tr.feature th { background: #e8ecf5; font-size: 15px; }
td.passed { background: #d9f2df; color: #0b5d1e; font-weight: 600; }
td.failed, td.missing { background: #fbdada; color: #8a1111; font-weight: 600; }
td.unsupported { background: #eeeeee; color: #555; }
td.skipped { background: #fff5d6; color: #6b5300; }
td.tasks { color: #555; white-space: nowrap; }
.reason { font-weight: normal; font-size: 12px; max-width: 28em; }
.verdict { font-size: 16px; font-weight: 600; }
</style></head><body>
<h1>lbspec conformance matrix</h1>
<p class="verdict">${matrix.ok ? 'Every declared capability passes.' : 'Some declared capabilities fail.'}</p>
<p>${escapeHtml(matrix.date)} &middot; ${matrix.columns.map((c) => `${escapeHtml(c.name)} ${escapeHtml(c.version)}: ${escapeHtml(c.verdict)}`).join(' &middot; ')}</p>
<table><thead><tr><th>scenario</th><th>tasks</th>${head}</tr></thead>
<tbody>
${body.join('\n')}
</tbody></table>
<p>passed: the balancer behaved as the scenario requires &middot; failed: it did not &middot; unsupported: it does not declare a capability the scenario needs (reason shown) &middot; skipped: not run.</p>
</body></html>
`;
}
