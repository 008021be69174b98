import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededDraw } from '../testing/seeded-draw.ts';
import { buildLeastConnections } from './least-connections.ts';
import { Load } from './load.ts';
import { buildPowerOfTwoChoices } from './power-of-two-choices.ts';
import { buildRandom } from './random.ts';
import { buildWeightedRoundRobin } from './weighted-round-robin.ts';

interface Fake {
  readonly id: string;
  readonly weight: number;
  readonly load: Load;
}

const pool = (...weights: number[]): Fake[] =>
  weights.map((weight, i) => ({ id: String.fromCharCode(65 + i), weight, load: new Load() }));
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

/** nginx's smooth weighted round robin as nginx writes it: a score per backend, O(n) per pick. */
function nginxOrder(weights: readonly number[], count: number): string {
  const eligible = weights.flatMap((weight, i) =>
    weight > 0 ? [{ weight, id: String.fromCharCode(65 + i) }] : [],
  );
  const total = eligible.reduce((sum, backend) => sum + backend.weight, 0);
  const current = eligible.map(() => 0);
  let order = '';
  for (let n = 0; n < count; n++) {
    let best = 0;
    eligible.forEach((backend, i) => {
      current[i] = (current[i] as number) + backend.weight;
      if ((current[i] as number) > (current[best] as number)) best = i;
    });
    current[best] = (current[best] as number) - total;
    order += eligible[best]?.id;
  }
  return order;
}

test('weighted round robin by weight groups picks exactly the order of the per-backend scores', () => {
  const draw = seededDraw(7);
  for (let trial = 0; trial < 300; trial++) {
    const weights = Array.from({ length: 1 + draw(12) }, () =>
      draw(4) === 0 ? draw(3) : 1 + draw(draw(2) ? 5 : 60),
    );
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    const count = Math.min(3 * total + 5, 2_000);
    assert.equal(
      picks(buildWeightedRoundRobin(pool(...weights)), count),
      total === 0 ? '-'.repeat(count) : nginxOrder(weights, count),
      `weights ${weights.join(',')}`,
    );
  }
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

test('least connections follows loads that change after it was built, and stops watching when closed', () => {
  const backends = [1, 1, 2].map((weight, i) => ({
    id: String.fromCharCode(65 + i),
    weight,
    load: new Load(),
  }));
  const [a, b, c] = backends as [(typeof backends)[0], (typeof backends)[0], (typeof backends)[0]];
  const selector = buildLeastConnections(backends);
  a.load.active = 2;
  c.load.active = 3;
  assert.equal(selector.pick()?.id, 'B');
  b.load.active = 2;
  c.load.active = 1;
  assert.equal(selector.pick()?.id, 'C', 'C carries 1/2, the others 2/1');
  assert.equal(a.load.watchers, 1);
  selector.close?.();
  assert.deepEqual(
    backends.map((backend) => backend.load.watchers),
    [0, 0, 0],
  );
});

test('least connections by heap picks what a scan of every backend picks, as loads come and go', () => {
  const draw = seededDraw(11);
  for (let trial = 0; trial < 50; trial++) {
    const backends = Array.from({ length: 1 + draw(20) }, (_, i) => ({
      id: `b${i}`,
      weight: 1 + draw(4),
      load: new Load(),
    }));
    const selector = buildLeastConnections(backends);
    // The scan: least active/weight, ties to the least recently picked (never picked: list order).
    const lastPicked = new Map(backends.map((backend, i) => [backend, i - backends.length]));
    for (let step = 1; step <= 300; step++) {
      const expected = backends.reduce((best, backend) => {
        const byLoad = backend.load.active * best.weight - best.load.active * backend.weight;
        return byLoad < 0 ||
          (byLoad === 0 && (lastPicked.get(backend) as number) < (lastPicked.get(best) as number))
          ? backend
          : best;
      });
      const picked = selector.pick();
      assert.equal(picked?.id, expected.id, `trial ${trial}, step ${step}`);
      lastPicked.set(expected, step);
      expected.load.active++;
      // Some requests in flight finish.
      for (const backend of backends) if (backend.load.active > 0 && draw(3) === 0) backend.load.active--;
    }
  }
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

test('power of two choices draws every ordered pair of distinct backends alike', () => {
  // Loads A 0, B 1, C 2: the less loaded of each pair wins, so the picks show which pairs were drawn.
  const backends = pool(1, 1, 1);
  (backends[1] as Fake).load.active = 1;
  (backends[2] as Fake).load.active = 2;
  const grid = [0.1, 0.5, 0.9].flatMap((first) => [0.25, 0.75].flatMap((second) => [first, second]));
  const selector = buildPowerOfTwoChoices(backends, scripted(...grid));
  // (A,B) (A,C) (B,A) (B,C) (C,A) (C,B): A wins four, B two.
  assert.equal(picks(selector, 6), 'AAABAB');
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
