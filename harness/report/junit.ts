import type { ConformanceReport } from './conformance.ts';
import { escapeXml } from './svg-chart.ts';

/**
 * JUnit XML for `report`'s scenarios, for a run a signal cut short before cucumber could write its
 * own: the suite named after the balancer, a failure per failed scenario with its message, and an
 * error saying the run was interrupted.
 */
export function renderJunit(report: ConformanceReport): string {
  const cases = report.scenarios.map((scenario) => {
    const open = `  <testcase classname="${escapeXml(scenario.feature)}" name="${escapeXml(scenario.name)}" time="${scenario.durationMs / 1000}">`;
    const reason = escapeXml(scenario.reason ?? scenario.outcome);
    if (scenario.outcome === 'passed') return `${open}</testcase>`;
    if (scenario.outcome === 'failed')
      return `${open}<failure message="${escapeXml((scenario.reason ?? '').split('\n')[0] ?? '')}">${reason}</failure></testcase>`;
    return `${open}<skipped message="${reason}"/></testcase>`;
  });
  const { interrupted } = report;
  if (interrupted)
    cases.push(
      `  <testcase classname="lbspec" name="the run"><error message="interrupted by ${escapeXml(interrupted.signal)}">${interrupted.unfinished} scenarios had not finished; those not started are not listed</error></testcase>`,
    );
  const { passed, failed, unsupported, skipped } = report.totals;
  const attributes = [
    `name="${escapeXml(report.adapter?.name ?? 'unknown balancer')}"`,
    `time="${report.durationMs / 1000}"`,
    `tests="${passed + failed + unsupported + skipped + (interrupted ? 1 : 0)}"`,
    `skipped="${unsupported + skipped}"`,
    `failures="${failed}"`,
    `errors="${interrupted ? 1 : 0}"`,
    `timestamp="${report.startedAt}"`,
  ];
  return `<?xml version="1.0"?>\n<testsuite ${attributes.join(' ')}>\n${cases.join('\n')}\n</testsuite>\n`;
}
