// Runs the suite against several balancers (default: reference, nginx, haproxy, caddy) one after another
// and writes reports/matrix.{md,html,json}: a row per scenario, a column per balancer. Exits 1 if
// any scenario a balancer declares support for fails, or a run produced no report.
//   npm run matrix                       npm run matrix -- reference haproxy
//   npm run matrix -- --reuse reference=reports     (a run whose reports are already there)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  buildMatrix,
  type MatrixColumn,
  renderMatrixHtml,
  renderMatrixMarkdown,
} from '../harness/report/matrix.ts';
import { readConformanceReport } from '../harness/report/report-files.ts';
import { readCommandLine, usageError } from './command-line.ts';

const usage = `usage: npm run matrix -- [--reuse ADAPTER=DIR]... [ADAPTER...]
  ADAPTER  balancers to run the suite against, one after another (default: reference nginx haproxy caddy);
           reports go to reports/matrix.{md,html,json} (LBSPEC_REPORTS_DIR overrides reports/)
  --reuse ADAPTER=DIR  take ADAPTER's column from the whole-suite run whose reports are in DIR
           instead of running it again (CI: the run npm test just made against the reference)`;
const { positionals, values } = readCommandLine(
  usage,
  { reuse: { type: 'string', multiple: true } },
  { allowPositionals: true },
);
const adapters = positionals.length > 0 ? positionals : ['reference', 'nginx', 'haproxy', 'caddy'];
const reportsRoot = process.env.LBSPEC_REPORTS_DIR ?? 'reports';
const cucumber = join('node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js');
const reused = new Map(
  (values.reuse ?? []).map((text) => {
    const [adapter = '', directory = ''] = text.split('=');
    if (!adapter || !directory) usageError(`--reuse "${text}" is not ADAPTER=DIR`, usage);
    if (!adapters.includes(adapter))
      usageError(`--reuse names ${adapter}, which is not in the matrix`, usage);
    return [adapter, directory];
  }),
);

/** The column of a run made before, read from its reports; a missing report is said, not run again. */
function reusedColumn(adapter: string, directory: string): MatrixColumn {
  process.stdout.write(`== ${adapter}: the run in ${directory}\n`);
  const report = readConformanceReport(directory);
  if (!report) return { adapter, report: undefined, problem: `no report in ${directory} to reuse` };
  return { adapter, report, reportsDir: relative(reportsRoot, directory) || '.' };
}

const columns: MatrixColumn[] = adapters.map((adapter) => {
  const earlier = reused.get(adapter);
  if (earlier !== undefined) return reusedColumn(adapter, earlier);
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
mkdirSync(reportsRoot, { recursive: true });
writeFileSync(join(reportsRoot, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
writeFileSync(join(reportsRoot, 'matrix.md'), renderMatrixMarkdown(matrix));
writeFileSync(join(reportsRoot, 'matrix.html'), renderMatrixHtml(matrix));
process.stdout.write(
  `matrix: ${matrix.ok ? 'every declared capability passes' : 'FAILURES'} -> ${join(reportsRoot, 'matrix.md')}, matrix.html\n`,
);
process.exit(matrix.ok ? 0 : 1);
