import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededDraw } from '../../reference/src/testing/seeded-draw.ts';
import {
  binomialInterval,
  expectShares,
  requiredSampleSize,
  ringShareInterval,
  tailPerBackend,
} from './statistics.ts';

const shares = (entries: Record<string, number>) => new Map(Object.entries(entries));

test('the binomial interval holds each tail to its probability, and no tighter than it must', () => {
  const n = 1000;
  const p = 0.5;
  const { low, high } = binomialInterval(n, p, 1e-3);
  // Binomial(1000, 0.5): P(X <= 450) = 8.65e-4 <= 1e-3 < P(X <= 451) = 1.07e-3, so below 451 is the
  // rejected lower tail; the upper one mirrors it.
  assert.equal(low, 451);
  assert.equal(high, 549);
  assert.deepEqual(binomialInterval(10, 0, 1e-6), { low: 0, high: 0 });
  assert.deepEqual(binomialInterval(10, 1, 1e-6), { low: 10, high: 10 });
});

test('the sample size that tells 65/35 from 70/30 at 1e-6 with 99.9% power is derived, not guessed', () => {
  assert.equal(requiredSampleSize(0.7, 0.65, 2, 1e-6, 0.999), 5760);
});

test('at 6000 requests a 65/35 split is rejected where 70/30 is expected, and 70/30 passes', () => {
  const expected = shares({ a: 0.7, b: 0.3 });
  expectShares(
    new Map([
      ['a', 4200],
      ['b', 1800],
    ]),
    expected,
  );
  assert.throws(
    () =>
      expectShares(
        new Map([
          ['a', 3900],
          ['b', 2100],
        ]),
        expected,
      ),
    (error: Error) => {
      assert.match(
        error.message,
        /! a: 3900 \(expected 4200\.0, share 0\.6500 vs 0\.7000, deviation -300\.0, allowed \d+\.\.\d+\)/,
      );
      assert.match(error.message, /false-failure probability of 0\.000001/);
      return true;
    },
  );
});

test('a uniform split passes within the bound and a starved backend fails, as do strangers', () => {
  const uniform = shares({ a: 1 / 3, b: 1 / 3, c: 1 / 3 });
  expectShares(
    new Map([
      ['a', 1050],
      ['b', 980],
      ['c', 970],
    ]),
    uniform,
  );
  assert.throws(
    () =>
      expectShares(
        new Map([
          ['a', 1500],
          ['b', 1500],
          ['c', 0],
        ]),
        uniform,
      ),
    /! c: 0/,
  );
  assert.throws(
    () =>
      expectShares(
        new Map([
          ['a', 1000],
          ['b', 1000],
          ['c', 990],
          ['x', 10],
        ]),
        uniform,
      ),
    /not in the pool: x/,
  );
});

test('a correct random balancer fails the check about as rarely as stated (simulated)', () => {
  // With a loose false-failure probability the rate is measurable: 1,000 simulated checks at 0.05
  // must fail close to 5% of the time, and never more than the stated rate by a wide margin.
  let state = 12345;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  let failures = 0;
  const uniform = shares({ a: 1 / 3, b: 1 / 3, c: 1 / 3 });
  for (let run = 0; run < 1000; run++) {
    const counts = new Map([
      ['a', 0],
      ['b', 0],
      ['c', 0],
    ]);
    for (let i = 0; i < 600; i++) {
      const id = ['a', 'b', 'c'][Math.floor(random() * 3)] as string;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    try {
      expectShares(counts, uniform, 0.05);
    } catch {
      failures++;
    }
  }
  assert.ok(failures <= 80, `${failures} of 1000 correct runs failed at a stated 5%`);
  assert.ok(tailPerBackend(3, 0.05) === 0.05 / 6);
});

test("a ring newcomer's share is bounded for every layout a good hash may give, derived from the Beta law", () => {
  const { low, high } = ringShareInterval(160, 5, 2.5e-7);
  assert.ok(low > 0.13 && low < 0.14, String(low));
  assert.ok(high > 0.27 && high < 0.28, String(high));
  // Simulated layouts: 160 uniform points per backend, the newcomer's share; none of 2,000 falls out.
  const drawWhole = seededDraw(7);
  const draw = () => drawWhole(2 ** 30) / 2 ** 30;
  for (let layout = 0; layout < 2_000; layout++) {
    const points = Array.from({ length: 800 }, (_, i) => ({ at: draw(), newcomer: i < 160 }));
    points.sort((x, y) => x.at - y.at);
    let share = 0;
    points.forEach((point, i) => {
      if (point.newcomer)
        share += point.at - (i === 0 ? (points.at(-1)?.at ?? 0) - 1 : (points[i - 1]?.at ?? 0));
    });
    assert.ok(share >= low && share <= high, `layout ${layout}: share ${share}`);
  }
});
