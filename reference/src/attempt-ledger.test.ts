import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttemptLedger } from './attempt-ledger.ts';
import type { AttemptOutcome, Upstream } from './pools.ts';

function upstreamRecording(): { upstream: Upstream; outcomes: AttemptOutcome[] } {
  const outcomes: AttemptOutcome[] = [];
  const upstream = {
    id: 'b1',
    load: { active: 0 },
    pool: { recordOutcome: (_: Upstream, outcome: AttemptOutcome) => outcomes.push(outcome) },
  } as unknown as Upstream;
  return { upstream, outcomes };
}

test('an attempt counts in flight from its start until it settles, once however often it is settled', () => {
  const { upstream } = upstreamRecording();
  const first = new AttemptLedger(upstream);
  const second = new AttemptLedger(upstream);
  assert.equal(upstream.load.active, 2);
  first.settle(false);
  first.settle(true);
  assert.equal(upstream.load.active, 1);
  second.settle(true);
  assert.equal(upstream.load.active, 0);
});

test('a failure is recorded by its kind, and a timeout or a connect timeout makes the answer a 504', () => {
  const { upstream, outcomes } = upstreamRecording();
  const ledger = new AttemptLedger(upstream);
  assert.deepEqual(
    ledger.recordFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), false),
    {
      failure: 'connect-failure',
      answerTimedOut: false,
    },
  );
  assert.deepEqual(ledger.recordFailure(new Error('no answer'), true), {
    failure: 'timeout',
    answerTimedOut: true,
  });
  assert.deepEqual(
    ledger.recordFailure(Object.assign(new Error('late'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), false),
    { failure: 'connect-failure', answerTimedOut: true },
  );
  ledger.record({ status: 503 });
  assert.deepEqual(outcomes, [
    { failure: 'connect-failure' },
    { failure: 'timeout' },
    { failure: 'connect-failure' },
    { status: 503 },
  ]);
});

test('an attempt leaves the in-flight count once, however it ended and however often it is settled', () => {
  const { upstream } = upstreamRecording();
  const succeeded = new AttemptLedger(upstream);
  const failed = new AttemptLedger(upstream);
  assert.equal(upstream.load.active, 2);
  succeeded.settle(true);
  failed.settle(false);
  failed.settle(false);
  assert.equal(upstream.load.active, 0);
});
