// Fails (exit 1) unless the conformance report says the run passed: no failures, at least one
// scenario ran, and none was skipped for want of something here (a program it needs). cucumber
// itself exits 0 when every scenario is skipped; this closes that gap.
import { readFileSync } from 'node:fs';
import type { ConformanceReport } from '../harness/report/conformance.ts';
import { readCommandLine } from './command-line.ts';

const { positionals } = readCommandLine(
  'usage: node --import tsx scripts/require-pass.ts [REPORT]   (default reports/conformance.json)',
  {},
  { allowPositionals: true },
);
const path = positionals[0] ?? 'reports/conformance.json';
const report = JSON.parse(readFileSync(path, 'utf8')) as ConformanceReport;
const { passed, failed, unsupported, skipped } = report.totals;
if (report.verdict !== 'pass') {
  process.stderr.write(
    `${path}: verdict ${report.verdict} (${passed} passed, ${failed} failed, ${unsupported} unsupported, ${skipped} skipped)\n`,
  );
  process.exit(1);
}
const notRun = report.scenarios.filter((scenario) => scenario.outcome === 'skipped');
if (notRun.length > 0) {
  process.stderr.write(
    `${path}: ${notRun.length} scenarios were skipped, so not everything was checked:\n${notRun
      .map((scenario) => `  ${scenario.id ?? scenario.name}: ${scenario.reason ?? 'skipped'}`)
      .join('\n')}\n`,
  );
  process.exit(1);
}
