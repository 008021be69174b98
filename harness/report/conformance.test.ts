import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import {
  buildConformanceReport,
  buildConformanceRun,
  renderConformanceMarkdown,
  slug,
} from './conformance.ts';
import { renderConformanceHtml } from './conformance-html.ts';
import { mediaTypes } from './media-types.ts';

const at = (seconds: number) => ({ seconds, nanos: 0 });
// A failed check's message as cucumber reports it: the check's lines, then the stack under them.
const failureMessage =
  'expected 10 requests each:\n  b1: got 30\n    at fail (/work/main/harness/checks/expectations.ts:9:9)\n    at async LbWorld.<anonymous> (/work/main/steps/x.steps.ts:4:3)';

/** Messages of a run with one scenario per given step status list (and an optional attachment). */
function run(
  scenarios: {
    name: string;
    tags: string[];
    statuses: string[];
    attach?: [string, string];
    retried?: boolean;
  }[],
): Envelope[] {
  const envelopes: unknown[] = [
    { testRunStarted: { timestamp: at(100) } },
    { gherkinDocument: { uri: 'features/rr.feature', feature: { name: 'Round robin' }, comments: [] } },
  ];
  scenarios.forEach((scenario, i) => {
    envelopes.push(
      {
        pickle: {
          id: `p${i}`,
          name: scenario.name,
          uri: 'features/rr.feature',
          tags: scenario.tags.map((name) => ({ name })),
        },
      },
      { testCase: { id: `tc${i}`, pickleId: `p${i}` } },
      { testCaseStarted: { id: `s${i}`, testCaseId: `tc${i}`, timestamp: at(100 + i) } },
    );
    if (scenario.attach) {
      envelopes.push({
        attachment: { testCaseStartedId: `s${i}`, mediaType: scenario.attach[0], body: scenario.attach[1] },
      });
    }
    for (const status of scenario.statuses) {
      envelopes.push({
        testStepFinished: {
          testCaseStartedId: `s${i}`,
          testStepResult: { status, message: status === 'FAILED' ? failureMessage : undefined },
        },
      });
    }
    envelopes.push({
      testCaseFinished: {
        testCaseStartedId: `s${i}`,
        timestamp: at(101 + i),
        willBeRetried: scenario.retried ?? false,
      },
    });
  });
  envelopes.push({ testRunFinished: { timestamp: at(110) } });
  return envelopes as Envelope[];
}

const adapter = JSON.stringify({
  name: 'mine',
  version: '1.2',
  capabilities: { supported: ['l7'], reasons: { l4: 'HTTP only' } },
  backendProvider: 'container',
});

test('outcomes: passed, failed, unsupported (with reason) and skipped stay distinct', () => {
  const report = buildConformanceReport(
    run([
      {
        name: 'even',
        tags: ['@l7', '@task-01', '@id:rr-even'],
        statuses: ['PASSED', 'PASSED'],
        attach: [mediaTypes.adapter, adapter],
      },
      { name: 'rotation', tags: ['@l7', '@task-01'], statuses: ['PASSED', 'FAILED', 'SKIPPED'] },
      {
        name: 'tcp',
        tags: ['@l4', '@task-01'],
        statuses: ['SKIPPED', 'SKIPPED'],
        attach: [
          mediaTypes.unsupported,
          JSON.stringify({ adapter: 'mine', missing: ['l4'], reasons: ['l4: HTTP only'] }),
        ],
      },
      {
        name: 'skipped',
        tags: ['@l7', '@task-02'],
        statuses: ['SKIPPED'],
        attach: [mediaTypes.notRun, 'not run: redis-server is not installed'],
      },
      { name: 'undefined step', tags: ['@l7', '@task-02'], statuses: ['UNDEFINED'] },
    ]),
  );
  assert.deepEqual(
    report.scenarios.map((s) => [s.name, s.outcome, s.reason]),
    [
      ['even', 'passed', undefined],
      ['rotation', 'failed', 'expected 10 requests each:\n  b1: got 30'],
      ['tcp', 'unsupported', 'mine lacks l4: HTTP only'],
      ['skipped', 'skipped', 'not run: redis-server is not installed'],
      ['undefined step', 'failed', 'UNDEFINED'],
    ],
  );
  assert.equal(report.adapter?.name, 'mine');
  assert.equal(report.backendProvider, 'container');
  assert.equal('backendProvider' in (report.adapter ?? {}), false);
  assert.deepEqual(report.totals, { passed: 1, failed: 2, unsupported: 1, skipped: 1 });
  assert.equal(report.verdict, 'fail');
  assert.equal(report.durationMs, 10_000);
  assert.deepEqual(
    report.byTask.map((task) => [task.tag, task.name, task.totals.passed, task.scenarios.length]),
    [
      ['@task-01', 'Round robin (stateless)', 1, 3],
      ['@task-02', 'Least connections (dynamic load, connection tracking)', 0, 2],
    ],
  );
  assert.equal(report.byFeature[0]?.name, 'Round robin');
  const markdown = renderConformanceMarkdown(report);
  assert.match(markdown, /^# Conformance of mine 1\.2/);
  assert.match(markdown, /\*\*Verdict: FAIL\*\* \(1 passed, 2 failed, 1 unsupported, 1 skipped\)/);
  assert.match(
    markdown,
    /### task-01: Round robin \(stateless\)\n\n- passed: even\n- failed: rotation\n- unsupported: tcp\n/,
  );
  assert.match(markdown, /- \*\*unsupported\*\* tcp \(1000 ms\): mine lacks l4: HTTP only/);
  // A scenario's stable id goes with it everywhere.
  assert.equal(report.scenarios[0]?.id, 'rr-even');
  assert.match(markdown, /- \*\*passed\*\* `rr-even` even \(/);
  assert.match(renderConformanceHtml(report), /<code>rr-even<\/code> even/);
  // The whole message, its numbers too, and no stack trace.
  assert.match(
    markdown,
    /rotation \(\d+ ms\): expected 10 requests each:\n\n {2}```text\n {4}b1: got 30\n {2}```\n/,
  );
  assert.doesNotMatch(markdown, /steps\/support/);
  assert.match(
    renderConformanceHtml(report),
    /<div class="reason">expected 10 requests each:\n {2}b1: got 30<\/div>/,
  );
});

test('a retried attempt counts only once, by its last try', () => {
  const report = buildConformanceReport(
    run([
      { name: 'flaky', tags: ['@l7', '@task-01'], statuses: ['FAILED'], retried: true },
      { name: 'steady', tags: ['@l7', '@task-01'], statuses: ['PASSED'] },
    ]),
  );
  assert.deepEqual(
    report.scenarios.map((s) => s.name),
    ['steady'],
  );
  assert.equal(report.verdict, 'pass');
});

test('a run where nothing ran is a failure, and says so', () => {
  const report = buildConformanceReport(
    run([{ name: 'tcp', tags: ['@l4', '@task-01'], statuses: ['SKIPPED'] }]),
  );
  assert.equal(report.verdict, 'fail');
  assert.equal(report.adapter, null);
  assert.match(renderConformanceMarkdown(report), /No scenario ran: nothing was checked\./);
});

test("a scenario's attachments become evidence files the Markdown and HTML reports link", () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>chart</title></svg>';
  const envelopes = run([
    {
      name: 'Rotates: in order!',
      tags: ['@task-01'],
      statuses: ['PASSED', 'FAILED'],
      attach: ['text/plain', 'log'],
    },
    { name: 'Rotates: in order!', tags: ['@task-01'], statuses: ['PASSED'] },
  ]);
  // Two charts of one name from the failed step, as the hooks attach them.
  const chart = {
    attachment: {
      testCaseStartedId: 's0',
      mediaType: mediaTypes.svg,
      body: Buffer.from(svg).toString('base64'),
      contentEncoding: 'BASE64',
      fileName: 'requests-per-backend.svg',
    },
  } as unknown as Envelope;
  envelopes.splice(envelopes.length - 3, 0, chart, chart);
  const { report, evidence } = buildConformanceRun(envelopes);
  const directory = 'evidence/rr/rotates-in-order';
  assert.deepEqual(
    evidence.map((file) => file.path),
    [
      `${directory}/evidence.txt`,
      `${directory}/requests-per-backend.svg`,
      `${directory}/requests-per-backend-2.svg`,
    ],
  );
  assert.equal(evidence[1]?.content.toString(), svg, 'a chart is written as the SVG it was, not base64');
  assert.equal(evidence[0]?.content.toString(), 'log');
  assert.deepEqual(
    report.scenarios[0]?.evidence,
    evidence.map((file) => file.path),
  );
  assert.equal(report.scenarios[1]?.evidence, undefined, 'a scenario that attached nothing links nothing');
  const markdown = renderConformanceMarkdown(report);
  assert.ok(markdown.includes(`[requests-per-backend.svg](${directory}/requests-per-backend.svg)`));
  const html = renderConformanceHtml(report);
  assert.ok(html.includes(`<tr id="${directory}">`));
  assert.ok(html.includes(`<img class="chart" src="${directory}/requests-per-backend-2.svg"`));
  assert.ok(html.includes(`<a href="${directory}/evidence.txt">evidence.txt</a>`));
  assert.ok(html.includes('Verdict: FAIL'));
});

test('slugs are safe in paths', () => {
  assert.equal(slug('A <b>/ "quoted" path (chunked)'), 'a-b-quoted-path-chunked');
  assert.equal(slug('***'), 'unnamed');
  assert.ok(slug('x'.repeat(100)).length <= 60);
});

test("a failed scenario's likely mistakes go into its report entry, the Markdown and the HTML, not into evidence files", () => {
  const suggestion = {
    id: 'weights-ignored',
    title: 'Weights are read but not used',
    fix: 'Use them.',
    fit: 1,
  };
  const envelopes = run([
    {
      name: 'weights',
      tags: ['@id:wrr-one'],
      statuses: ['FAILED'],
      attach: [mediaTypes.diagnosis, JSON.stringify([suggestion])],
    },
    {
      name: 'passes',
      tags: [],
      statuses: ['PASSED'],
      attach: [mediaTypes.diagnosis, JSON.stringify([suggestion])],
    },
  ]);
  const { report, evidence } = buildConformanceRun(envelopes);
  assert.deepEqual(report.scenarios[0]?.likelyMistakes, [suggestion]);
  assert.equal(report.scenarios[1]?.likelyMistakes, undefined, 'only a failure is diagnosed');
  assert.deepEqual(evidence, []);
  const line =
    "Weights are read but not used (fit 1.00). Fix: Use them. See lbspec's docs/mistakes.md#weights-ignored.";
  assert.ok(renderConformanceMarkdown(report).includes(`- likely mistake: ${line}`));
  assert.ok(renderConformanceHtml(report).includes(`<div class="mistake">Likely mistake: ${line}</div>`));
});
