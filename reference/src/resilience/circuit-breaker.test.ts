import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitBreaker } from './circuit-breaker.ts';

const settings = { consecutiveFailures: 3, openMs: 500, maxOpenMs: 1500, halfOpenRequests: 2 };

// Opens at 40% failed over the last second once it holds 10 outcomes; failures in a row never count.
const rate = {
  ...settings,
  consecutiveFailures: 100,
  failureRatePercent: 40,
  minimumRequests: 10,
  windowMs: 1_000,
};

function fakeClock() {
  const now = { ms: 0 };
  return { now, clock: () => now.ms };
}

test('failures in a row open it; a success in between does not', () => {
  const { clock } = fakeClock();
  const breaker = new CircuitBreaker(settings, clock);
  assert.deepEqual(
    [false, false, true, false, false].map((ok) => breaker.record(ok)),
    [undefined, undefined, undefined, undefined, undefined],
  );
  assert.equal(breaker.record(false), 'open');
  assert.equal(breaker.admits, false);
});

test('half-open admits exactly the trials; all passing closes it', () => {
  const { now, clock } = fakeClock();
  const breaker = new CircuitBreaker(settings, clock);
  for (let i = 0; i < 3; i++) breaker.record(false);
  now.ms = 499;
  assert.equal(breaker.state, 'open');
  now.ms = 500;
  assert.equal(breaker.state, 'half-open');
  assert.equal(breaker.admit(), false);
  assert.equal(breaker.admits, true);
  assert.equal(breaker.admit(), true, 'the second trial is the last');
  assert.equal(breaker.admits, false, 'no third trial while the two are out');
  assert.equal(breaker.record(true), undefined);
  assert.equal(breaker.record(true), 'closed');
  assert.equal(breaker.admits, true);
});

test('a failed trial opens it again for longer, up to the cap; closing resets the growth', () => {
  const { now, clock } = fakeClock();
  const breaker = new CircuitBreaker(settings, clock);
  const openFor: number[] = [];
  for (let i = 0; i < 3; i++) breaker.record(false);
  for (let trip = 0; trip < 4; trip++) {
    openFor.push((breaker.openUntil as number) - now.ms);
    now.ms = breaker.openUntil as number;
    breaker.admit();
    assert.equal(breaker.record(false), 'open');
  }
  assert.deepEqual(openFor, [500, 1000, 1500, 1500]);
  now.ms = breaker.openUntil as number;
  breaker.admit();
  breaker.admit();
  breaker.record(true);
  assert.equal(breaker.record(true), 'closed');
  for (let i = 0; i < 3; i++) breaker.record(false);
  assert.equal((breaker.openUntil as number) - now.ms, 500, 'growth starts over after closing');
});

test('while open, outcomes of requests already under way change nothing', () => {
  const { clock } = fakeClock();
  const breaker = new CircuitBreaker(settings, clock);
  for (let i = 0; i < 3; i++) breaker.record(false);
  const until = breaker.openUntil;
  assert.equal(breaker.record(false), undefined);
  assert.equal(breaker.record(true), undefined);
  assert.equal(breaker.openUntil, until);
});

test('a failure rate over the window opens it once the window holds enough requests', () => {
  const { now, clock } = fakeClock();
  const breaker = new CircuitBreaker(rate, clock);
  const alternate = (count: number) =>
    Array.from({ length: count }, (_, i) => breaker.record(i % 2 === 1)).filter(Boolean);
  assert.deepEqual(alternate(9), [], '5 of 9 failed, but 9 is below the minimum');
  assert.deepEqual(alternate(1), ['open'], '5 of 10 is 50%, over 40%');
  const sparse = new CircuitBreaker(rate, clock);
  for (let i = 0; i < 30; i++)
    assert.equal(sparse.record(i % 3 !== 2), undefined, '1 in 3 is 33%, under 40%');
  const sliding = new CircuitBreaker(rate, clock);
  for (let i = 0; i < 4; i++) sliding.record(false);
  now.ms += 1_000;
  for (let i = 0; i < 9; i++)
    assert.equal(sliding.record(true), undefined, 'old failures slid out of the window');
});

test('while open, no outcome under way opens it again or moves its end; it tells when it ends only while open', () => {
  const { now, clock } = fakeClock();
  const breaker = new CircuitBreaker(settings, clock);
  assert.equal(breaker.openUntil, undefined, 'closed');
  for (let i = 0; i < 3; i++) breaker.record(false);
  for (let i = 0; i < 5; i++) assert.equal(breaker.record(false), undefined);
  assert.equal(breaker.openUntil, 500);
  now.ms = 500;
  assert.equal(breaker.openUntil, undefined, 'half-open');
});

test('without a failure rate, only failures in a row count, however many', () => {
  const { clock } = fakeClock();
  const breaker = new CircuitBreaker({ ...settings, consecutiveFailures: 50 }, clock);
  for (let i = 0; i < 49; i++) assert.equal(breaker.record(false), undefined);
  assert.equal(breaker.record(false), 'open');
});

test('the failure rate: exactly the percentage opens it, outcomes leave the window bucket by bucket, and opening empties it', () => {
  const { now, clock } = fakeClock();
  now.ms = 10_000;
  const exact = new CircuitBreaker(rate, clock);
  const outcomes = (breaker: CircuitBreaker, pattern: string) =>
    [...pattern].map((outcome) => breaker.record(outcome === '+')).filter(Boolean);
  assert.deepEqual(outcomes(exact, '++-++-++-'), []);
  assert.deepEqual(outcomes(exact, '-'), ['open'], '4 of 10 is exactly 40%');

  // Over 1,000 ms in buckets of 100: what was recorded 1,000 ms ago or more is gone, the rest stays.
  const atLeast60 = { ...rate, failureRatePercent: 60, minimumRequests: 4 };
  const sliding = new CircuitBreaker(atLeast60, clock);
  now.ms = 20_050;
  outcomes(sliding, '--');
  now.ms = 20_950;
  outcomes(sliding, '++');
  now.ms = 21_000;
  assert.deepEqual(outcomes(sliding, '--'), [], 'the failures of 20,050 are gone: 2 of 4');
  now.ms = 21_950;
  assert.deepEqual(outcomes(sliding, '+-'), ['open'], 'the passes of 20,950 are gone: 3 of 4');
  const nextBucket = new CircuitBreaker(atLeast60, clock);
  now.ms = 40_000;
  outcomes(nextBucket, '--+');
  now.ms = 40_100;
  assert.deepEqual(outcomes(nextBucket, '-'), ['open'], 'the bucket before is still in the window: 3 of 4');

  const reopened = new CircuitBreaker({ ...rate, halfOpenRequests: 1 }, clock);
  now.ms = 30_000;
  assert.deepEqual(outcomes(reopened, '-+-+-+-+-+'), ['open']);
  now.ms = 30_500;
  reopened.admit();
  assert.equal(reopened.record(true), 'closed');
  assert.deepEqual(outcomes(reopened, '-'), [], 'the failures before it opened count no more');
});
