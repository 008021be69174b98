import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { mediaTypes } from './media-types.ts';
import { ProgressLines } from './progress-lines.ts';

const at = (seconds: number) => ({ seconds, nanos: 0 });

test('one line per finished scenario: count, outcome, feature and name, duration; a failure says why', () => {
  const lines = new ProgressLines();
  const envelopes = [
    { gherkinDocument: { uri: 'features/rr.feature', feature: { name: 'Round robin' } } },
    ...[0, 1, 2].flatMap((i) => [
      { pickle: { id: `p${i}`, name: `scenario ${i}`, uri: 'features/rr.feature' } },
      { testCase: { id: `tc${i}`, pickleId: `p${i}` } },
    ]),
    { testCaseStarted: { id: 's0', testCaseId: 'tc0', timestamp: at(10) } },
    { testStepFinished: { testCaseStartedId: 's0', testStepResult: { status: 'PASSED' } } },
    { testCaseFinished: { testCaseStartedId: 's0', timestamp: at(12), willBeRetried: false } },
    { testCaseStarted: { id: 's1', testCaseId: 'tc1', timestamp: at(12) } },
    { attachment: { testCaseStartedId: 's1', mediaType: mediaTypes.unsupported, body: '{}' } },
    { testStepFinished: { testCaseStartedId: 's1', testStepResult: { status: 'SKIPPED' } } },
    { testCaseFinished: { testCaseStartedId: 's1', timestamp: at(12), willBeRetried: false } },
    { testCaseStarted: { id: 's2', testCaseId: 'tc2', timestamp: at(12) } },
    { testStepFinished: { testCaseStartedId: 's2', testStepResult: { status: 'PASSED' } } },
    {
      testStepFinished: {
        testCaseStartedId: 's2',
        testStepResult: { status: 'FAILED', message: 'expected 10\ngot 30' },
      },
    },
    { testCaseFinished: { testCaseStartedId: 's2', timestamp: at(13), willBeRetried: false } },
  ] as unknown as Envelope[];
  const printed = envelopes.flatMap((envelope) => lines.feed(envelope));
  assert.deepEqual(printed, [
    '[1/3] passed      Round robin: scenario 0 (2.0 s)',
    '[2/3] unsupported Round robin: scenario 1 (0.0 s)',
    '[3/3] failed      Round robin: scenario 2 (1.0 s)',
    '      expected 10',
    '      got 30',
  ]);
});
