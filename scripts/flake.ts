// Runs the conformance suite N times (default 20) and prints each scenario's pass rate; exits 1 if
// any scenario did not pass every time. Extra arguments go to cucumber-js, e.g.
//   npm run flake -- 20 --tags @l4 --parallel 2
// Each run's reports go to <reports>/flake/run-<n> (LBSPEC_REPORTS_DIR, else reports/); those of a
// run in which a scenario failed are kept, the others removed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ConformanceReport, Outcome } from '../harness/report/conformance.ts';
import { answerHelp, usageError } from './command-line.ts';

const usage = `usage: npm run flake -- [RUNS] [cucumber-js arguments]
  RUNS  how many times to run the suite (default 20); every other argument goes to cucumber-js,
        e.g. npm run flake -- 20 --tags @l4 --parallel 2
  The reports of each run with a failure are kept in <reports>/flake/run-<n> (LBSPEC_REPORTS_DIR,
  else reports/).`;
answerHelp(usage);

const [countText = '20', ...cucumberArgs] = process.argv.slice(2);
const runs = Number(countText);
if (!Number.isInteger(runs) || runs < 1) usageError(`"${countText}" is not a positive number of runs`, usage);

const outcomes = new Map<string, Outcome[]>();
const cucumber = join('node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js');
const flakeReports = join(process.env.LBSPEC_REPORTS_DIR ?? 'reports', 'flake');
rmSync(flakeReports, { recursive: true, force: true }); // an earlier run's kept reports would mislead
for (let run = 1; run <= runs; run++) {
  const reports = join(flakeReports, `run-${run}`);
  mkdirSync(reports, { recursive: true });
  spawnSync(process.execPath, [cucumber, '--format', 'summary', ...cucumberArgs], {
    env: { ...process.env, LBSPEC_REPORTS_DIR: reports },
    stdio: 'ignore',
  });
  let failed = true;
  try {
    const report = JSON.parse(readFileSync(join(reports, 'conformance.json'), 'utf8')) as ConformanceReport;
    for (const scenario of report.scenarios) {
      const key = `${scenario.uri}: ${scenario.name}`;
      outcomes.set(key, [...(outcomes.get(key) ?? []), scenario.outcome]);
      if (scenario.outcome === 'failed')
        process.stdout.write(`run ${run}: FAILED ${key}: ${scenario.reason?.split('\n')[0] ?? ''}\n`);
    }
    failed = report.totals.failed > 0;
    process.stdout.write(
      `run ${run}/${runs}: ${report.verdict} in ${(report.durationMs / 1000).toFixed(1)} s${failed ? `, reports kept in ${reports}` : ''}\n`,
    );
  } catch (error) {
    process.stdout.write(
      `run ${run}/${runs}: no report (${(error as Error).message}), what it wrote is in ${reports}\n`,
    );
  }
  if (!failed) rmSync(reports, { recursive: true, force: true });
}

// A scenario is stable when it passed in every run, or was unsupported in every run (the balancer
// does not declare what it needs: nothing to be flaky about).
let unstable = 0;
let unsupported = 0;
for (const [scenario, seen] of outcomes) {
  if (seen.length === runs && seen.every((outcome) => outcome === 'unsupported')) {
    unsupported++;
    continue;
  }
  const passed = seen.filter((outcome) => outcome === 'passed').length;
  if (passed !== runs) unstable++;
  process.stdout.write(
    `${((100 * passed) / runs).toFixed(0).padStart(4)}%  ${passed}/${runs}  ${scenario}\n`,
  );
}
const ran = outcomes.size - unsupported;
process.stdout.write(
  `${ran - unstable} of ${ran} scenarios passed ${runs} of ${runs} runs; ${unsupported} unsupported in every run\n`,
);
if (ran === 0) process.stderr.write('no scenario ran: every one was unsupported or none was selected\n');
process.exit(unstable === 0 && ran > 0 ? 0 : 1);
