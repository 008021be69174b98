import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readConformanceReport } from '../harness/report/report-files.ts';
import {
  buildScoreboard,
  type GradedRun,
  renderScoreboardHtml,
  renderScoreboardMarkdown,
} from '../harness/report/scoreboard.ts';
import { readJsonFile } from './json-file.ts';
import { runSuite } from './run.ts';
import { readRunArguments, splitInline } from './run-arguments.ts';
import { parseSubmissionOption, parseSubmissions, type Submission, unique } from './submissions.ts';

export const gradeUsage = `usage: lbspec grade (--submissions FILE | --submission NAME=COMMAND ...) [OPTIONS] [cucumber-js options]
Runs the suite once per submission, one after another, and writes a scoreboard (scoreboard.md, .html,
.json): per submission and per task, passed, failed and unsupported scenarios and a score (passed
over passed plus failed), each linked to that submission's own reports in DIR/NAME/.
  --submissions FILE     {"submissions": [{"name": "alice", "command": "./lb --config {config}",
                         "directory": "alice", "capabilitiesFile": "alice/lbspec.json"}, ...]}; an
                         entry may give "image" instead of "command" (the container adapter)
  --submission N=CMD     one submission by command (repeatable)
  --reports DIR          where the scoreboard and each submission's reports go (default ./lbspec-grades)
  every option of lbspec run applies to all submissions (--capabilities all, --reload, --backends),
  and every cucumber-js option (--tags @task-01) selects the same scenarios for each.
A submission run as a command runs with your rights: run code you do not trust as an image
(--backends and the balancer in containers) or on a machine of its own.
Exit status: 0 when every submission produced a report (whatever its verdict), 1 otherwise.`;

export async function gradeCommand(args: string[]): Promise<number> {
  const cwd = process.cwd();
  const { submissions, rest } = readSubmissions(args, cwd);
  const { env, cucumberArgs } = readRunArguments(rest, { cwd, exists: existsSync });
  const root = env.LBSPEC_REPORTS_DIR ?? resolve(cwd, 'lbspec-grades');
  delete env.LBSPEC_REPORTS_DIR;
  mkdirSync(root, { recursive: true });
  const runs: GradedRun[] = [];
  for (const submission of submissions) {
    const reports = join(root, submission.name);
    rmSync(reports, { recursive: true, force: true }); // an earlier grading's reports would mislead
    mkdirSync(reports, { recursive: true });
    process.stdout.write(`== ${submission.name}\n`);
    const settings = { LBSPEC_WORKDIR: cwd, ...env, ...submission.settings, LBSPEC_REPORTS_DIR: reports };
    const status = await runSuite(cucumberArgs, settings);
    const report = readConformanceReport(reports);
    runs.push({
      name: submission.name,
      reportsDir: submission.name,
      report,
      ...(report ? {} : { problem: `the run exited ${status}` }),
    });
  }
  const board = buildScoreboard(runs, new Date());
  writeFileSync(join(root, 'scoreboard.json'), `${JSON.stringify(board, null, 2)}\n`);
  writeFileSync(join(root, 'scoreboard.md'), renderScoreboardMarkdown(board));
  writeFileSync(join(root, 'scoreboard.html'), renderScoreboardHtml(board));
  process.stdout.write(
    `\n${renderScoreboardMarkdown(board)}\nscoreboard: ${join(root, 'scoreboard.md')}, scoreboard.html, scoreboard.json\n`,
  );
  return runs.every((run) => run.report !== undefined) ? 0 : 1;
}

// --submissions and --submission are grade's own; the rest is a run's command line.
function readSubmissions(
  args: readonly string[],
  cwd: string,
): { submissions: Submission[]; rest: string[] } {
  const submissions: Submission[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    const [flag, inline] = splitInline(word);
    if (flag === '--submissions' || flag === '--submission') {
      const value = inline ?? args[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      if (flag === '--submission') submissions.push(parseSubmissionOption(value));
      else {
        const file = resolve(cwd, value);
        submissions.push(...parseSubmissions(readJsonFile(file), file));
      }
    } else rest.push(word);
  }
  if (submissions.length === 0)
    throw new Error('name the submissions: --submissions FILE or --submission NAME=COMMAND');
  return { submissions: unique(submissions, 'the submissions'), rest };
}
