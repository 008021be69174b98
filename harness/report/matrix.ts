import type { ConformanceReport, Outcome } from './conformance.ts';
import { escapeHtml, htmlPage } from './html-page.ts';
import { firstLineWithin } from './text-fit.ts';

/** One balancer's column: its name as run, and its report (or why there is none). */
export interface MatrixColumn {
  readonly adapter: string;
  readonly report: ConformanceReport | undefined;
  /** Set when the run produced no report (e.g. the suite could not start). */
  readonly problem?: string;
  /** Where the run's reports are, relative to the matrix's own: evidence links start there. */
  readonly reportsDir?: string;
}

export interface MatrixCell {
  readonly outcome: Outcome | 'missing';
  readonly reason?: string;
  /** The scenario's evidence directory, relative to the matrix's reports. */
  readonly evidence?: string;
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
    /** The run's conformance report (HTML), relative to the matrix's reports. */
    report?: string;
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
      const directory = found.evidence?.[0]?.replace(/\/[^/]*$/, '');
      return {
        outcome: found.outcome,
        ...(found.reason === undefined ? {} : { reason: found.reason }),
        ...(directory === undefined
          ? {}
          : { evidence: `${joinPath(column.reportsDir, 'conformance.html')}#${directory}` }),
      };
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
      ...(column.report && column.reportsDir !== undefined
        ? { report: joinPath(column.reportsDir, 'conformance.html') }
        : {}),
    })),
    rows: matrixRows,
    ok:
      columns.every((column) => column.report !== undefined) &&
      matrixRows.every((row) =>
        row.cells.every((cell) => cell.outcome !== 'failed' && cell.outcome !== 'missing'),
      ),
  };
}

const firstLine = (text: string) => firstLineWithin(text, 160);

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
      const cells = row.cells.map((cell) => {
        const text = cell.reason ? `${cell.outcome}: ${firstLine(cell.reason)}` : cell.outcome;
        return cell.evidence ? `${text} ([evidence](${cell.evidence}))` : text;
      });
      lines.push(`| ${row.scenario} | ${row.tasks.join(' ')} | ${cells.join(' | ').replaceAll('\n', ' ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A self-contained HTML page: a row per scenario, a column per balancer, evidence linked. */
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
          const evidence = cell.evidence ? ` <a href="${escapeHtml(cell.evidence)}">evidence</a>` : '';
          return `<td class="${cell.outcome}" title="${escapeHtml(cell.reason ?? cell.outcome)}">${cell.outcome}${evidence}${reason}</td>`;
        })
        .join('');
      body.push(
        `<tr><td>${escapeHtml(row.scenario)}</td><td class="tasks">${row.tasks.join(' ')}</td>${cells}</tr>`,
      );
    }
  }
  const runs = matrix.columns
    .map((c) => {
      const report = c.report ? ` (<a href="${escapeHtml(c.report)}">report</a>)` : '';
      return `${escapeHtml(c.name)} ${escapeHtml(c.version)}: ${escapeHtml(c.verdict)}${report}`;
    })
    .join(' &middot; ');
  return htmlPage(
    'lbspec conformance matrix',
    `<p class="verdict">${matrix.ok ? 'Every declared capability passes.' : 'Some declared capabilities fail.'}</p>
<p>${escapeHtml(matrix.date)} &middot; ${runs}</p>
<table><thead><tr><th>scenario</th><th>tasks</th>${head}</tr></thead>
<tbody>
${body.join('\n')}
</tbody></table>
<p>passed: the balancer behaved as the scenario requires &middot; failed: it did not &middot; unsupported: it does not declare a capability the scenario needs (reason shown) &middot; skipped: not run &middot; evidence: what the scenario attached (its log and charts).</p>`,
  );
}

function joinPath(directory: string | undefined, path: string): string {
  return directory === undefined || directory === '' ? path : `${directory.replace(/\/$/, '')}/${path}`;
}
