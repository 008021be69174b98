import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutlierDetector } from './outlier-detector.ts';

const config = { consecutiveFailures: 3, baseEjectionMs: 400, maxEjectionMs: 800, maxEjectionPercent: 50 };

function fakeClock() {
  let now = 1_000;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

test('consecutive failures eject for a time that grows with each ejection, up to the cap', () => {
  const { clock, advance } = fakeClock();
  const detector = new OutlierDetector(config, 4, clock);
  const durations: number[] = [];
  for (let round = 0; round < 4; round++) {
    assert.equal(detector.record('a', false), undefined);
    assert.equal(detector.record('a', false), undefined);
    const end = detector.record('a', false) as number;
    durations.push(end - clock());
    assert.equal(detector.isEjected('a'), true);
    advance(end - clock() - 1);
    assert.equal(detector.isEjected('a'), true, 'still ejected 1 ms before the end');
    advance(1);
    assert.equal(detector.isEjected('a'), false);
  }
  assert.deepEqual(durations, [400, 800, 800, 800]);
});

test('a success resets the run of failures', () => {
  const { clock } = fakeClock();
  const detector = new OutlierDetector(config, 4, clock);
  for (const outcome of [false, false, true, false, false, true]) detector.record('a', outcome);
  assert.equal(detector.isEjected('a'), false);
});

test('no more than maxEjectionPercent of the pool is ejected at once, but at least one', () => {
  const { clock } = fakeClock();
  const detector = new OutlierDetector(config, 4, clock);
  for (const key of ['a', 'b', 'c', 'd']) for (let i = 0; i < 3; i++) detector.record(key, false);
  assert.deepEqual(
    ['a', 'b', 'c', 'd'].map((key) => detector.isEjected(key)),
    [true, true, false, false],
  );
  const small = new OutlierDetector({ ...config, maxEjectionPercent: 10 }, 3, clock);
  for (const key of ['a', 'b']) for (let i = 0; i < 3; i++) small.record(key, false);
  assert.deepEqual([small.isEjected('a'), small.isEjected('b')], [true, false]);
});

test('failures of requests that were under way while ejected do not extend the ejection', () => {
  const { clock } = fakeClock();
  const detector = new OutlierDetector(config, 4, clock);
  for (let i = 0; i < 3; i++) detector.record('a', false);
  assert.equal(detector.ejectionEnd('a'), 1_400);
  for (let i = 0; i < 5; i++) assert.equal(detector.record('a', false), undefined);
  assert.equal(detector.ejectionEnd('a'), 1_400);
});

test('an ejection ends on time, and a maxEjectionPercent of 0 ejects nothing', () => {
  const { clock, advance } = fakeClock();
  const detector = new OutlierDetector(config, 4, clock);
  assert.equal(detector.ejectionEnd('a'), undefined, 'never ejected');
  for (let i = 0; i < 3; i++) detector.record('a', false);
  advance(399);
  assert.equal(detector.ejectionEnd('a'), 1_400);
  advance(1);
  assert.equal(detector.ejectionEnd('a'), undefined, 'over');
  const never = new OutlierDetector({ ...config, maxEjectionPercent: 0 }, 4, clock);
  for (let i = 0; i < 3; i++) assert.equal(never.record('a', false), undefined);
  assert.equal(never.isEjected('a'), false);
});
