import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCollecting } from './run-suite.ts';

// A capture group that may match nothing hands its step an undefined argument, and cucumber.html
// then prints the failed step's text twice: each form of a step gets a definition of its own.
/** The groups of a regular expression's source that a ? or * makes optional, each with its parentheses. */
function optionalGroups(pattern: string): string[] {
  const opened: number[] = [];
  const groups: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '(') opened.push(i);
    else if (pattern[i] === ')') {
      const start = opened.pop() as number;
      if (pattern[i + 1] === '?' || pattern[i + 1] === '*') groups.push(pattern.slice(start, i + 1));
    }
  }
  return groups;
}

test('no step definition has an optional capture group, also inside an optional group of its own', () => {
  assert.deepEqual(optionalGroups('/^a(?: with "([^"]+)")? b(c)?$/'), ['(?: with "([^"]+)")', '(c)']);
  const offenders: string[] = [];
  for (const file of readdirSync('steps').filter((name) => name.endsWith('.steps.ts'))) {
    const text = readFileSync(join('steps', file), 'utf8');
    for (const [pattern] of text.matchAll(/\/\^.*\$\//g)) {
      if (optionalGroups(pattern).some((group) => /\((?!\?)/.test(group)))
        offenders.push(`${file}: ${pattern}`);
    }
  }
  assert.deepEqual(offenders, []);
});

// A step without a definition (or with two) fails its scenario as "undefined" only when the suite
// runs; a dry run finds every one in seconds, before a whole run is spent on it.
test('every step of every feature has exactly one definition', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'lbspec-dry-run-'));
  try {
    const messages = join(directory, 'messages.ndjson');
    const { output } = await runCollecting(
      process.execPath,
      ['node_modules/@cucumber/cucumber/bin/cucumber.js', '--dry-run', '--format', `message:${messages}`],
      process.cwd(),
      { LBSPEC_REPORTS_DIR: directory },
    );
    const envelopes = readFileSync(messages, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const stepText = new Map<string, string>();
    for (const envelope of envelopes)
      for (const child of envelope.gherkinDocument?.feature?.children ?? [])
        for (const step of [...(child.scenario?.steps ?? []), ...(child.background?.steps ?? [])])
          stepText.set(step.id, `${envelope.gherkinDocument.uri}:${step.location.line}: ${step.text}`);
    const pickleSteps = new Map<string, string>();
    for (const { pickle } of envelopes)
      for (const step of pickle?.steps ?? [])
        pickleSteps.set(step.id, stepText.get(step.astNodeIds[0]) ?? step.text);
    const testSteps = new Map<string, string>();
    for (const { testCase } of envelopes)
      for (const step of testCase?.testSteps ?? [])
        if (step.pickleStepId)
          testSteps.set(step.id, pickleSteps.get(step.pickleStepId) ?? step.pickleStepId);
    const unmatched = envelopes
      .filter(({ testStepFinished }) =>
        ['UNDEFINED', 'AMBIGUOUS'].includes(testStepFinished?.testStepResult.status),
      )
      .map(
        ({ testStepFinished }) =>
          `${testStepFinished.testStepResult.status}: ${testSteps.get(testStepFinished.testStepId)}`,
      );
    assert.ok(envelopes.length > 0, output);
    assert.deepEqual([...new Set(unmatched)], []);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
