// Fails (exit 1) unless the conformance report says the run passed: no failures, and at least one
// scenario ran. cucumber itself exits 0 when every scenario is skipped; this closes that gap.
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
