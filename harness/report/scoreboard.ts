import { tasks } from '../spec/tasks.ts';
import type { ConformanceReport, Totals } from './conformance.ts';
import { escapeHtml, htmlPage } from './html-page.ts';

/** One submission's run: its report, or why there is none. */
export interface GradedRun {
  readonly name: string;
  /** Its reports directory, relative to the scoreboard's. */
  readonly reportsDir: string;
  readonly report: ConformanceReport | undefined;
  readonly problem?: string;
}

/** Counts and a score: passed over passed plus failed (null when neither), unsupported apart. */
export type Grade = Totals & { readonly score: number | null };

export interface ScoreboardRow {
  readonly name: string;
  readonly reportsDir: string;
  readonly verdict: 'pass' | 'fail' | 'no report';
  readonly problem?: string;
  readonly overall: Grade;
  readonly byTask: Readonly<Record<string, Grade>>;
}

export interface Scoreboard {
  readonly date: string;
  readonly tasks: readonly { readonly task: string; readonly title: string }[];
  readonly rows: readonly ScoreboardRow[];
}

const none: Totals = { passed: 0, failed: 0, unsupported: 0, skipped: 0 };

/** A grade from counts. */
export function grade(totals: Totals): Grade {
  const ran = totals.passed + totals.failed;
  return { ...totals, score: ran === 0 ? null : totals.passed / ran };
}

/** Per submission and per task: counts and scores, from each submission's one run. */
export function buildScoreboard(runs: readonly GradedRun[], date: Date): Scoreboard {
  const taskList = Object.entries(tasks).map(([task, title]) => ({ task, title }));
  const rows = runs.map(({ name, reportsDir, report, problem }): ScoreboardRow => {
    const byTask = Object.fromEntries(
      taskList.map(({ task }) => [
        task,
        grade(report?.byTask.find((group) => group.tag === `@${task}`)?.totals ?? none),
      ]),
    );
    return {
      name,
      reportsDir,
      verdict: report?.verdict ?? 'no report',
      ...(problem === undefined ? {} : { problem }),
      overall: grade(report?.totals ?? none),
      byTask,
    };
  });
  return { date: date.toISOString(), tasks: taskList, rows };
}

const percent = (score: number | null): string => (score === null ? '-' : `${Math.round(score * 100)}%`);

function cellText(grade: Grade): string {
  if (grade.passed + grade.failed + grade.unsupported === 0) return '';
  return `${percent(grade.score)} (${grade.passed}/${grade.passed + grade.failed}${grade.unsupported > 0 ? `, ${grade.unsupported} unsupported` : ''})`;
}

// The tasks of which at least one submission ran a scenario: the others would be empty columns.
function tasksGraded(board: Scoreboard): Scoreboard['tasks'] {
  return board.tasks.filter(({ task }) => board.rows.some((row) => cellText(row.byTask[task] as Grade)));
}

/** The scoreboard as Markdown: a row per submission, a column per task, each linked to its report. */
export function renderScoreboardMarkdown(board: Scoreboard): string {
  const used = tasksGraded(board);
  const lines = [
    '# Scoreboard',
    '',
    `Graded ${board.date}. Score: passed over passed plus failed; unsupported scenarios count for neither.`,
    '',
    `| submission | verdict | score | ${used.map(({ task }) => task).join(' | ')} |`,
    `|---|---|---|${used.map(() => '---|').join('')}`,
  ];
  for (const row of board.rows) {
    const report = `${row.reportsDir}/conformance.md`;
    const cells = used.map(({ task }) => cellText(row.byTask[task] as Grade));
    const verdict = row.problem ? `${row.verdict}: ${row.problem}` : row.verdict.toUpperCase();
    lines.push(`| [${row.name}](${report}) | ${verdict} | ${cellText(row.overall)} | ${cells.join(' | ')} |`);
  }
  lines.push('', ...used.map(({ task, title }) => `- ${task}: ${title}`));
  return `${lines.join('\n')}\n`;
}

/** The scoreboard as a page, each cell linking to that submission's report. */
export function renderScoreboardHtml(board: Scoreboard): string {
  const used = tasksGraded(board);
  const head = used
    .map(({ task, title }) => `<th title="${escapeHtml(title)}">${escapeHtml(task)}</th>`)
    .join('');
  const rows = board.rows.map((row) => {
    const report = escapeHtml(`${row.reportsDir}/conformance.html`);
    const cell = (grade: Grade) => {
      const text = cellText(grade);
      const style = grade.failed > 0 ? 'failed' : grade.passed > 0 ? 'passed' : 'unsupported';
      return `<td class="${text ? style : ''}">${text ? `<a href="${report}">${escapeHtml(text)}</a>` : ''}</td>`;
    };
    const verdict = row.problem ? `${row.verdict}: ${row.problem}` : row.verdict.toUpperCase();
    return `<tr><th><a href="${report}">${escapeHtml(row.name)}</a></th><td class="${row.verdict === 'pass' ? 'passed' : 'failed'}">${escapeHtml(verdict)}</td>${cell(row.overall)}${used.map(({ task }) => cell(row.byTask[task] as Grade)).join('')}</tr>`;
  });
  return htmlPage(
    'Scoreboard',
    `<p>Graded ${escapeHtml(board.date)}. Score: passed over passed plus failed; unsupported scenarios count for neither.</p>
<table><thead><tr><th>submission</th><th>verdict</th><th>score</th>${head}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`,
  );
}
