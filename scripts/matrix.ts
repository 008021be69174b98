// Runs the suite against several balancers (default: reference, nginx, haproxy, caddy) one after another
// and writes reports/matrix.{md,html,json}: a row per scenario, a column per balancer. Exits 1 if
// any scenario a balancer declares support for fails, or a run produced no report.
//   npm run matrix                       npm run matrix -- reference haproxy
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildMatrix,
  type MatrixColumn,
  renderMatrixHtml,
  renderMatrixMarkdown,
} from '../harness/report/matrix.ts';
import { readConformanceReport } from '../harness/report/report-files.ts';
import { readCommandLine } from './command-line.ts';

const usage = `usage: npm run matrix -- [ADAPTER...]
  ADAPTER  balancers to run the suite against, one after another (default: reference nginx haproxy caddy);
           reports go to reports/matrix.{md,html,json} (LBSPEC_REPORTS_DIR overrides reports/)`;
const { positionals } = readCommandLine(usage, {}, { allowPositionals: true });
const adapters = positionals.length > 0 ? positionals : ['reference', 'nginx', 'haproxy', 'caddy'];
const reportsRoot = process.env.LBSPEC_REPORTS_DIR ?? 'reports';
const cucumber = join('node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js');

const columns: MatrixColumn[] = adapters.map((adapter) => {
  const reports = join(reportsRoot, 'matrix', adapter);
  mkdirSync(reports, { recursive: true });
  process.stdout.write(`== ${adapter}\n`);
  const run = spawnSync(process.execPath, [cucumber, '--format', 'summary'], {
    env: { ...process.env, LBSPEC_ADAPTER: adapter, LBSPEC_REPORTS_DIR: reports },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const report = readConformanceReport(reports);
  if (!report) return { adapter, report: undefined, problem: `no report (cucumber exited ${run.status})` };
  return { adapter, report, reportsDir: join('matrix', adapter) };
});

const matrix = buildMatrix(columns, new Date());
writeFileSync(join(reportsRoot, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
writeFileSync(join(reportsRoot, 'matrix.md'), renderMatrixMarkdown(matrix));
writeFileSync(join(reportsRoot, 'matrix.html'), renderMatrixHtml(matrix));
process.stdout.write(
  `matrix: ${matrix.ok ? 'every declared capability passes' : 'FAILURES'} -> ${join(reportsRoot, 'matrix.md')}, matrix.html\n`,
);
process.exit(matrix.ok ? 0 : 1);
