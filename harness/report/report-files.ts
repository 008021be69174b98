import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ConformanceReport, type EvidenceFile, renderConformanceMarkdown } from './conformance.ts';
import { renderConformanceHtml } from './conformance-html.ts';

/**
 * Writes conformance.md and conformance.html into `directory`, with each scenario's evidence under
 * evidence/ (an earlier run's evidence is removed first: it would be mistaken for this one's).
 */
export function writeReportPages(
  directory: string,
  report: ConformanceReport,
  evidence: readonly EvidenceFile[],
): void {
  rmSync(join(directory, 'evidence'), { recursive: true, force: true });
  for (const file of evidence) {
    mkdirSync(dirname(join(directory, file.path)), { recursive: true });
    writeFileSync(join(directory, file.path), file.content);
  }
  writeFileSync(join(directory, 'conformance.md'), renderConformanceMarkdown(report));
  writeFileSync(join(directory, 'conformance.html'), renderConformanceHtml(report));
}

/** The conformance report a run wrote into `directory`, or undefined when it wrote none. */
export function readConformanceReport(directory: string): ConformanceReport | undefined {
  const path = join(directory, 'conformance.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ConformanceReport) : undefined;
}

/** The run's one line: the balancer, the verdict and the counts. */
export function verdictLine(report: ConformanceReport): string {
  const { passed, failed, unsupported, skipped } = report.totals;
  return `conformance of ${report.adapter?.name ?? 'unknown balancer'}: ${report.verdict.toUpperCase()} (${passed} passed, ${failed} failed, ${unsupported} unsupported, ${skipped} skipped)`;
}

/** Why a run with no failed scenario still fails: it checked nothing. */
export function nothingCheckedReason({
  unsupported,
  skipped,
}: {
  unsupported: number;
  skipped: number;
}): string {
  if (unsupported > 0)
    return 'nothing was checked: every selected scenario needs a capability the balancer does not declare';
  if (skipped > 0) return 'nothing was checked: every selected scenario was skipped (a dry run?)';
  return 'nothing was checked: no scenario matched the tags, names and feature paths given';
}
