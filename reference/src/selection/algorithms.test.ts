import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildLeastConnections } from './least-connections.ts';
import { buildPowerOfTwoChoices } from './power-of-two-choices.ts';
import { buildRandom } from './random.ts';
import { buildWeightedRoundRobin } from './weighted-round-robin.ts';

interface Fake {
  readonly id: string;
  readonly weight: number;
  readonly load: { active: number };
}

const pool = (...weights: number[]): Fake[] =>
  weights.map((weight, i) => ({ id: String.fromCharCode(65 + i), weight, load: { active: 0 } }));
const picks = (selector: { pick(): Fake | undefined }, count: number) =>
  Array.from({ length: count }, () => selector.pick()?.id ?? '-').join('');
/** Replays the given floats, then fails: a test must say every draw it expects. */
const scripted =
  (...values: number[]) =>
  () => {
    const value = values.shift();
    if (value === undefined) throw new Error('more draws than scripted');
    return value;
  };

test('smooth weighted round robin: nginx order, exact per cycle, never a burst', () => {
  assert.equal(picks(buildWeightedRoundRobin(pool(5, 1, 1)), 14), 'AABACAAAABACAA');
  const weights = [10, 5, 5, 1];
  const sequence = picks(buildWeightedRoundRobin(pool(...weights)), 21 * 5);
  const total = 21;
  let worst = 0;
  weights.forEach((weight, i) => {
    const id = String.fromCharCode(65 + i);
    for (let t = 1; t <= sequence.length; t++) {
      const seen = [...sequence.slice(0, t)].filter((c) => c === id).length;
      worst = Math.max(worst, Math.abs(seen - (t * weight) / total));
      if (t % total === 0) assert.equal(seen, (t / total) * weight, `${id} after ${t}`);
    }
  });
  assert.ok(worst < 1.5, `deviation from the ideal share reached ${worst}`);
});

test('weighted round robin skips weight 0 and picks nothing from an all-zero pool', () => {
  assert.equal(picks(buildWeightedRoundRobin(pool(1, 0, 1)), 4), 'ACAC');
  assert.equal(buildWeightedRoundRobin(pool(0, 0)).pick(), undefined);
});

test('least connections takes the least loaded relative to weight', () => {
  const backends = pool(1, 1, 2);
  const [a, b, c] = backends as [Fake, Fake, Fake];
  a.load.active = 2;
  b.load.active = 1;
  c.load.active = 3;
  assert.equal(buildLeastConnections(backends).pick()?.id, 'B');
  c.load.active = 1;
  assert.equal(buildLeastConnections(backends).pick()?.id, 'C');
});

test('least connections breaks ties by rotation, and skips weight 0', () => {
  assert.equal(picks(buildLeastConnections(pool(1, 1, 1)), 6), 'ABCABC');
  assert.equal(picks(buildLeastConnections(pool(1, 0, 1)), 4), 'ACAC');
  assert.equal(buildLeastConnections(pool(0)).pick(), undefined);
});

test('power of two choices draws two distinct backends and takes the less loaded', () => {
  const backends = pool(1, 1, 1);
  (backends[0] as Fake).load.active = 5;
  // Draws A (0.1 of 3) then, from the other two, index 0 -> B.
  assert.equal(buildPowerOfTwoChoices(backends, scripted(0.1, 0.1)).pick()?.id, 'B');
  // Draws C (0.9) then index 1 of the others -> B... skipping C; both idle: the first drawn wins.
  assert.equal(buildPowerOfTwoChoices(backends, scripted(0.9, 0.9)).pick()?.id, 'C');
  // Draws B then index 0 -> A (the most loaded): B wins.
  assert.equal(buildPowerOfTwoChoices(backends, scripted(0.5, 0.1)).pick()?.id, 'B');
});

test('power of two choices never picks the single most loaded backend while another exists', () => {
  const backends = pool(1, 1, 1, 1);
  (backends[2] as Fake).load.active = 1;
  const selector = buildPowerOfTwoChoices(backends);
  for (let i = 0; i < 2000; i++) assert.notEqual(selector.pick()?.id, 'C');
});

test('power of two choices with one or no eligible backend', () => {
  assert.equal(buildPowerOfTwoChoices(pool(0, 3)).pick()?.id, 'B');
  assert.equal(buildPowerOfTwoChoices(pool(0)).pick(), undefined);
});

test('random maps the draw uniformly onto the backends', () => {
  assert.equal(picks(buildRandom(pool(1, 1, 1), scripted(0, 0.34, 0.99)), 3), 'ABC');
  assert.equal(buildRandom([]).pick(), undefined);
});
