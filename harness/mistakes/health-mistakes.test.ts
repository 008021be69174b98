import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { healthTurns } from './health-mistakes.ts';
import type { MeasuredExchange, Measurements } from './measurements.ts';
import { suggested } from './signature-testing.ts';

const intervalMs = 150;
const backends = ['b1', 'b2', 'b3'];

/**
 * A round-robin balancer's traffic while b1 answers `statuses` to checks every 150 ms, as a balancer
 * that takes b1 out after `fall` failures in a row and back after `rise` passes would route it.
 */
function simulate(statuses: readonly number[], fall: number, rise: number, startsIn = true) {
  const answers = statuses.map((status, k) => ({
    atMs: 1_000 + k * intervalMs,
    askedAtMs: 1_000 + k * intervalMs,
    status,
  }));
  const exchanges: MeasuredExchange[] = [];
  let inRotation = startsIn;
  let failed = 0;
  let passed = 0;
  let next = 0;
  let seq = 0;
  const endMs = 1_000 + statuses.length * intervalMs;
  for (let atMs = 1_000 - intervalMs; atMs < endMs; atMs += 2) {
    const answer = answers.find((candidate) => candidate.atMs > atMs - 2 && candidate.atMs <= atMs);
    if (answer) {
      if (answer.status === 200) [passed, failed] = [passed + 1, 0];
      else [failed, passed] = [failed + 1, 0];
      if (failed >= fall) inRotation = false;
      if (passed >= rise) inRotation = true;
    }
    const rotation = inRotation ? backends : backends.slice(1);
    const backendId = rotation[next++ % rotation.length] as string;
    exchanges.push({ client: 0, seq: seq++, sentAtMs: atMs + 1, durationMs: 1, backendId });
  }
  return { answers, exchanges };
}

function measured(
  scenario: string,
  run: ReturnType<typeof simulate>,
  policy: { fall: number; rise: number; initiallyHealthy?: boolean },
): Measurements {
  return {
    scenario,
    backends: backends.map((id) => ({ id, weight: 1 })),
    exchanges: run.exchanges,
    healthPolicy: {
      intervalMs,
      timeoutMs: intervalMs,
      unhealthyThreshold: policy.fall,
      healthyThreshold: policy.rise,
      expectedStatuses: [200],
      initiallyHealthy: policy.initiallyHealthy ?? true,
    },
    healthAnswers: { b1: run.answers, b2: [], b3: [] },
    healthObservedMs: 100,
  };
}

const top = suggested;
const flapping = [503, 503, 200, 503, 503, 200, 503, 503];
const outThenBack = [503, 503, 503, 200, 200, 200, 200];

test('the turns read from the traffic: when a backend went out and came back, after how many checks', () => {
  const turns = healthTurns(measured('x', simulate(outThenBack, 3, 3), { fall: 3, rise: 3 })).get('b1');
  assert.deepEqual(turns, {
    wentOutAfter: [3],
    cameBackAfter: [3],
    cameBackSoonestAfter: [3],
    stayedInAfterFailures: 0,
    stayedOutAfterPasses: 0,
    servedBeforeFirstPass: true,
  });
});

test('a balancer that keeps the thresholds fits no health mistake', () => {
  const scenario = 'health-failed-checks-fewer-unhealthy';
  assert.deepEqual(top(measured(scenario, simulate(flapping, 3, 1), { fall: 3, rise: 1 })), []);
  assert.deepEqual(
    top(measured('health-backend-fails-checks-taken', simulate(outThenBack, 3, 3), { fall: 3, rise: 3 })),
    [],
  );
});

test('one failure taking a backend out, or one pass bringing it back, points to thresholds ignored', () => {
  const flaps = simulate(flapping, 1, 1);
  assert.deepEqual(top(measured('health-failed-checks-fewer-unhealthy', flaps, { fall: 3, rise: 1 })), [
    'health-one-check-decides',
  ]);
  const quickReturn = simulate(outThenBack, 3, 1);
  assert.deepEqual(top(measured('health-backend-fails-checks-taken', quickReturn, { fall: 3, rise: 3 })), [
    'health-one-check-decides',
  ]);
});

test('on a busy machine, a request sent just before the one pass that brought a backend back still shows it', () => {
  // The log starts after the backend left; its only pass is answered at 1,000, and the request that
  // reached it was sent 40 ms before that but routed after it (answered at 1,010).
  const exchange = (sentAtMs: number, backendId: string, durationMs = 5) =>
    ({ client: 0, seq: sentAtMs, sentAtMs, durationMs, backendId }) as const;
  const run = {
    answers: [{ askedAtMs: 1_000, atMs: 1_000, status: 200 }],
    exchanges: [
      ...[800, 820, 840, 860, 880, 900].map((at, k) => exchange(at, k % 2 ? 'b3' : 'b2')),
      exchange(960, 'b1', 50),
      exchange(1_030, 'b2'),
    ],
  };
  const busy = {
    ...measured('health-backend-fails-checks-taken', run, { fall: 3, rise: 3 }),
    inRotation: ['b2', 'b3'],
  };
  assert.deepEqual(healthTurns(busy).get('b1')?.cameBackAfter, [1]);
  assert.deepEqual(top(busy), ['health-one-check-decides']);
});

test('a change a check late or early points to a threshold off by one', () => {
  // Never out after exactly the threshold of failures, nor back after exactly that many passes.
  const neverOut = simulate([503, 503, 503, 200, 200], 4, 3);
  assert.equal(
    healthTurns(measured('x', neverOut, { fall: 3, rise: 3 })).get('b1')?.stayedInAfterFailures,
    3,
  );
  const neverBack = simulate([503, 503, 503, 200, 200, 200, 503, 503, 503], 3, 4);
  assert.equal(
    healthTurns(measured('x', neverBack, { fall: 3, rise: 3 })).get('b1')?.stayedOutAfterPasses,
    3,
  );
  const late = simulate([503, 503, 503, 503, 200, 200, 200], 4, 3);
  assert.deepEqual(top(measured('health-exactly-unhealthy-threshold-failed', late, { fall: 3, rise: 3 })), [
    'health-threshold-off-by-one',
  ]);
  const early = simulate(outThenBack, 3, 2);
  assert.deepEqual(top(measured('health-passed-checks-fewer-healthy', early, { fall: 3, rise: 3 })), [
    'health-threshold-off-by-one',
  ]);
});

test('requests before the first pass point to the initial state ignored; no check at all to checks never run', () => {
  const run = simulate([200, 200, 200], 3, 2, true);
  const unhealthyStart = { fall: 3, rise: 2, initiallyHealthy: false };
  assert.deepEqual(top(measured('health-backend-starts-unhealthy-gets', run, unhealthyStart)), [
    'health-initial-state-ignored',
  ]);
  const silent = { ...measured('health-backend-fails-checks-taken', run, { fall: 3, rise: 3 }) };
  const none = { ...silent, healthAnswers: { b1: [], b2: [], b3: [] }, healthObservedMs: 10 * intervalMs };
  assert.deepEqual(top(none), ['health-checks-never-run']);
  assert.deepEqual(top({ ...none, healthObservedMs: 2 * intervalMs }), []);
});

describe('probe deadlines and health per pool', () => {
  const policy = (intervalMs: number, timeoutMs: number) => ({
    intervalMs,
    timeoutMs,
    unhealthyThreshold: 2,
    healthyThreshold: 1,
    expectedStatuses: [200],
    initiallyHealthy: true,
  });
  const checked = (
    scenario: string,
    [intervalMs, timeoutMs]: [number, number],
    extra: Partial<Measurements>,
  ): Measurements => ({
    scenario,
    backends: [],
    exchanges: [],
    healthPolicy: policy(intervalMs, timeoutMs),
    ...extra,
  });
  const answeredAfter = (waitedMs: number) => ({
    b1: [{ askedAtMs: 1_000, atMs: 1_000 + waitedMs, status: 200 }],
  });
  const gaveUpAfter = (waitedMs: number, gaveUp = true) => ({ b1: [{ askedAtMs: 1_000, waitedMs, gaveUp }] });

  test('given up after the interval, or answers taken past the timeout, fit the interval as deadline', () => {
    const late = 'health-check-answered-after-interval';
    assert.deepEqual(suggested(checked(late, [100, 1_000], { healthUnanswered: gaveUpAfter(105) })), [
      'health-check-timeout-from-interval',
    ]);
    assert.deepEqual(suggested(checked(late, [100, 1_000], { healthUnanswered: gaveUpAfter(1_010) })), []);
    const early = 'health-check-answered-after-timeout';
    const top = suggested(checked(early, [400, 100], { healthAnswers: answeredAfter(250) }));
    assert.deepEqual(
      new Set(top),
      new Set(['health-check-timeout-from-interval', 'health-check-without-timeout']),
    );
    assert.deepEqual(suggested(checked(early, [400, 100], { healthAnswers: answeredAfter(20) })), []);
  });

  test('a check still waiting far past its timeout, and never one given up, fit no deadline at all', () => {
    const hanging = 'health-check-gets-answer-fails';
    assert.deepEqual(
      suggested(checked(hanging, [100, 200], { healthUnanswered: gaveUpAfter(3_000, false) })),
      ['health-check-without-timeout'],
    );
    assert.deepEqual(suggested(checked(hanging, [100, 200], { healthUnanswered: gaveUpAfter(210) })), []);
  });

  test('a backend kept out of a second pool whose own check it passes', () => {
    const measured = (reachedB1: number): Measurements => ({
      scenario: 'health-kept-per-pool',
      backends: [],
      exchanges: [],
      healthPolicy: policy(100, 100),
      healthAnswers: { b1: [{ askedAtMs: 1_000, atMs: 1_001, status: 503 }], b2: [] },
      otherListener: { expected: ['b1', 'b2'], reached: { b1: reachedB1, b2: 15 }, checkType: 'tcp' },
    });
    assert.deepEqual(suggested(measured(0)), ['health-shared-across-pools']);
    assert.deepEqual(suggested(measured(15)), []);
    // No check logged since the counts were reset: the rotation the scenario last saw tells.
    const unlogged = { ...measured(0), healthAnswers: { b1: [], b2: [] }, inRotation: ['b2'] };
    assert.deepEqual(suggested(unlogged), ['health-shared-across-pools']);
    assert.deepEqual(suggested({ ...unlogged, inRotation: ['b1', 'b2'] }), []);
  });
});
