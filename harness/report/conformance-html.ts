import { suggestionText } from '../mistakes/diagnose.ts';
import type { ConformanceReport, Outcome, ScenarioResult } from './conformance.ts';
import { escapeHtml, htmlPage } from './html-page.ts';

const outcomes: readonly Outcome[] = ['passed', 'failed', 'unsupported', 'skipped'];

/**
 * The conformance report as a page: the verdict, a table per task, then every scenario by feature
 * with its duration, why it failed, and its evidence (charts shown, logs linked). Each scenario with
 * evidence has an anchor, its evidence directory, for the matrix to link to.
 */
export function renderConformanceHtml(report: ConformanceReport): string {
  const adapter = report.adapter;
  const title = `Conformance of ${adapter ? `${adapter.name} ${adapter.version}` : 'an unknown balancer'}`;
  const taskRows = report.byTask.map(
    (task) =>
      `<tr><td>${escapeHtml(task.tag.slice(1))}</td><td>${escapeHtml(task.name)}</td>${outcomes.map((o) => `<td class="${task.totals[o] > 0 && o === 'failed' ? 'failed' : ''}">${task.totals[o]}</td>`).join('')}</tr>`,
  );
  const features = report.byFeature.map((feature) => {
    const rows = report.scenarios.filter((s) => s.uri === feature.uri).map(scenarioRow);
    return `<tr class="feature"><th colspan="3">${escapeHtml(feature.name)} <small>(${escapeHtml(feature.uri)})</small></th></tr>\n${rows.join('\n')}`;
  });
  return htmlPage(
    title,
    `<p class="verdict ${report.verdict === 'pass' ? 'passed' : 'failed'}">Verdict: ${report.verdict.toUpperCase()} (${outcomes.map((o) => `${report.totals[o]} ${o}`).join(', ')})</p>
<p>Run ${escapeHtml(report.startedAt)}, ${(report.durationMs / 1000).toFixed(1)} s &middot; backends: ${escapeHtml(report.backendProvider)} provider</p>
<h2>By task</h2>
<table><thead><tr><th>task</th><th>title</th>${outcomes.map((o) => `<th>${o}</th>`).join('')}</tr></thead>
<tbody>
${taskRows.join('\n')}
</tbody></table>
<h2>By feature</h2>
<table><thead><tr><th>scenario</th><th>outcome</th><th>duration</th></tr></thead>
<tbody>
${features.join('\n')}
</tbody></table>`,
  );
}

function scenarioRow(scenario: ScenarioResult): string {
  const evidence = scenario.evidence ?? [];
  const anchor = evidence[0]?.replace(/\/[^/]*$/, '');
  const charts = evidence
    .filter((path) => path.endsWith('.svg'))
    .map((path) => `<img class="chart" src="${escapeHtml(path)}" alt="${escapeHtml(path)}">`);
  const logs = evidence
    .filter((path) => !path.endsWith('.svg'))
    .map((path) => `<a href="${escapeHtml(path)}">${escapeHtml(path.replace(/^.*\//, ''))}</a>`);
  const reason = scenario.reason ? `<div class="reason">${escapeHtml(scenario.reason)}</div>` : '';
  const mistakes = (scenario.likelyMistakes ?? []).map(
    (suggestion) => `<div class="mistake">Likely mistake: ${escapeHtml(suggestionText(suggestion))}</div>`,
  );
  const details = [reason, ...mistakes, ...logs, ...charts].join('\n');
  return `<tr${anchor ? ` id="${escapeHtml(anchor)}"` : ''}><td>${scenario.id ? `<code>${escapeHtml(scenario.id)}</code> ` : ''}${escapeHtml(scenario.name)}${details ? `\n${details}` : ''}</td><td class="${scenario.outcome}">${scenario.outcome}</td><td>${scenario.durationMs} ms</td></tr>`;
}
