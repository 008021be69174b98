import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTimeScale } from './timeouts.ts';
import { awaitConvergence, DeadlineError, pollUntil } from './waiting.ts';

test('the time scale defaults to 1 and rejects nonsense', () => {
  assert.equal(readTimeScale(undefined), 1);
  assert.equal(readTimeScale('2.5'), 2.5);
  for (const bad of ['0', '-1', 'fast']) assert.throws(() => readTimeScale(bad), /LBSPEC_TIME_SCALE/);
});

test('pollUntil returns the first defined value', async () => {
  let calls = 0;
  assert.equal(
    await pollUntil(() => (++calls === 3 ? 'done' : undefined), { what: 'x', timeoutMs: 5_000, pollMs: 1 }),
    'done',
  );
  assert.equal(calls, 3);
});

test('pollUntil names what it waited for, the budget and the last problem', async () => {
  await assert.rejects(
    pollUntil(
      () => {
        throw new Error('refused');
      },
      { what: 'backend "b2" to listen', timeoutMs: 30, pollMs: 5 },
    ),
    (error: Error) =>
      error instanceof DeadlineError &&
      /after 30 ms waiting for backend "b2" to listen \(last: refused\)/.test(error.message),
  );
});

test('pollUntil gives up at once when told why', async () => {
  await assert.rejects(
    pollUntil(() => undefined, { what: 'x', timeoutMs: 60_000, giveUpIf: () => 'it exited' }),
    /gave up waiting for x: it exited/,
  );
});

test('awaitConvergence needs consecutive successes; a failure restarts the count', async () => {
  const answers = [true, false, true, true, true];
  let calls = 0;
  await awaitConvergence(
    async () => {
      if (!answers[calls++]) throw new Error('not yet');
    },
    { what: 'x', timeoutMs: 5_000, pollMs: 1, consecutiveSuccesses: 3 },
  );
  assert.equal(calls, 5);
});
