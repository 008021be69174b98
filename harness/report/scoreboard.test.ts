import assert from 'node:assert/strict';
import test from 'node:test';
import { assembleReport, type ScenarioResult } from './conformance.ts';
import { buildScoreboard, grade, renderScoreboardHtml, renderScoreboardMarkdown } from './scoreboard.ts';

const adapter = { name: 'lb', version: '1', capabilities: { supported: [], reasons: {} } };
const result = (task: string, outcome: ScenarioResult['outcome'], n: number): ScenarioResult => ({
  name: `${task} ${outcome} ${n}`,
  feature: 'F',
  uri: 'features/f.feature',
  tags: [`@${task}`, '@l7'],
  outcome,
  durationMs: 1,
});
const report = (scenarios: ScenarioResult[]) =>
  assembleReport(
    { adapter, backendProvider: 'process', startedAt: '2026-12-03T10:00:00.000Z', durationMs: 1 },
    scenarios,
  );

test('a grade is passed over passed plus failed; unsupported counts for neither', () => {
  assert.equal(grade({ passed: 3, failed: 1, unsupported: 5, skipped: 0 }).score, 0.75);
  assert.equal(grade({ passed: 0, failed: 0, unsupported: 5, skipped: 0 }).score, null);
});

test('the scoreboard: a row per submission, a grade per task, each linked to its own report', () => {
  const board = buildScoreboard(
    [
      {
        name: 'alice',
        reportsDir: 'alice',
        report: report([
          result('task-01', 'passed', 1),
          result('task-01', 'failed', 2),
          result('task-03', 'unsupported', 3),
        ]),
      },
      { name: 'bob', reportsDir: 'bob', report: undefined, problem: 'the run exited 2' },
    ],
    new Date('2026-12-03T12:00:00Z'),
  );
  const [alice, bob] = board.rows;
  assert.equal(alice?.verdict, 'fail');
  assert.deepEqual(alice?.byTask['task-01'], {
    passed: 1,
    failed: 1,
    unsupported: 0,
    skipped: 0,
    score: 0.5,
  });
  assert.equal(alice?.byTask['task-03']?.unsupported, 1);
  assert.equal(alice?.overall.score, 0.5);
  assert.equal(bob?.verdict, 'no report');
  const markdown = renderScoreboardMarkdown(board);
  assert.match(markdown, /\| submission \| verdict \| score \| task-01 \| task-03 \|/);
  assert.match(
    markdown,
    /\| \[alice\]\(alice\/conformance\.md\) \| FAIL \| 50% \(1\/2, 1 unsupported\) \| 50% \(1\/2\) \| - \(0\/0, 1 unsupported\) \|/,
  );
  assert.match(markdown, /\| \[bob\]\(bob\/conformance\.md\) \| no report: the run exited 2 \|/);
  const html = renderScoreboardHtml(board);
  assert.match(html, /<a href="alice\/conformance\.html">50% \(1\/2\)<\/a>/);
});
