import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderJunit } from '../harness/report/junit.ts';
import { mergeShards } from '../harness/report/merge.ts';
import {
  nothingCheckedReason,
  readConformanceReport,
  verdictLine,
  writeReportPages,
} from '../harness/report/report-files.ts';

export const mergeUsage = `usage: lbspec merge [--reports DIR] SHARD_DIR...
Joins the reports of one run's shards (lbspec --shard 1/3 --reports SHARD_DIR, ...) into one:
conformance.json, .md, .html, junit.xml and the evidence, in DIR (default ./lbspec-reports).
Exits as a whole run would: 0 when the merged verdict is PASS, 1 when it is FAIL.`;

export async function mergeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { reports: { type: 'string', default: 'lbspec-reports' } },
    allowPositionals: true,
  });
  if (positionals.length === 0) throw new Error("name the shards' reports directories");
  const output = resolve(values.reports);
  const shards = positionals.map((directory) => {
    const report = readConformanceReport(directory);
    if (!report)
      throw new Error(`${directory} has no conformance.json: is it the reports directory of a shard's run?`);
    return { source: directory, report };
  });
  const { report, moves } = mergeShards(shards);
  const evidence = moves.map(({ source, from, to }) => ({
    path: to,
    content: readFileSync(join(source, from)),
  }));
  mkdirSync(output, { recursive: true });
  writeFileSync(join(output, 'conformance.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(output, 'junit.xml'), renderJunit(report));
  writeReportPages(output, report, evidence);
  process.stdout.write(
    `${verdictLine(report)}, from ${shards.length} shards -> ${join(output, 'conformance.md')}\n`,
  );
  if (report.verdict === 'fail' && report.totals.failed === 0 && !report.interrupted)
    process.stdout.write(`${nothingCheckedReason(report.totals)}\n`);
  return report.verdict === 'pass' ? 0 : 1;
}
