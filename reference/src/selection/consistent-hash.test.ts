import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededDraw } from '../testing/seeded-draw.ts';
import { buildConsistentHash, defaultPointsPerWeight, hash32 } from './consistent-hash.ts';
import { Load } from './load.ts';

const backend = (id: string, weight = 1) => ({ id, weight, load: new Load() });
const keys = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);
const owners = (ids: string[]) => {
  const selector = buildConsistentHash(ids.map((id) => backend(id)));
  return keys.map((key) => selector.pick({ key })?.id);
};

test('adding a backend moves about 1/(N+1) of the keys, all to the new one; removing moves exactly its keys', () => {
  const four = owners(['a', 'b', 'c', 'd']);
  const five = owners(['a', 'b', 'c', 'd', 'e']);
  const moved = keys.filter((_, i) => four[i] !== five[i]);
  assert.ok(moved.every((key) => five[keys.indexOf(key)] === 'e'));
  assert.ok(Math.abs(moved.length / keys.length - 1 / 5) < 0.05, `${moved.length / keys.length}`);
  const withoutB = owners(['a', 'c', 'd']);
  assert.ok(keys.every((_, i) => (four[i] === 'b') === (four[i] !== withoutB[i])));
});

test('each backend owns close to its share of keys, in proportion to weight', () => {
  const selector = buildConsistentHash([backend('a'), backend('b'), backend('c', 2)]);
  const counts = new Map<string, number>();
  for (const key of keys) {
    const id = selector.pick({ key })?.id as string;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  for (const [id, share] of [
    ['a', 0.25],
    ['b', 0.25],
    ['c', 0.5],
  ] as const)
    assert.ok(Math.abs((counts.get(id) ?? 0) / keys.length - share) < 0.05, `${id} ${counts.get(id)}`);
});

test('the k-th attempt is the k-th distinct backend clockwise; no key takes turns', () => {
  const selector = buildConsistentHash(['a', 'b', 'c'].map((id) => backend(id)));
  const attempts = [0, 1, 2].map((attempt) => selector.pick({ key: 'k', attempt })?.id);
  assert.equal(new Set(attempts).size, 3);
  assert.equal(selector.pick({ key: 'k', attempt: 3 }), undefined);
  assert.deepEqual(
    [0, 1, 2, 3].map(() => selector.pick()?.id),
    ['a', 'b', 'c', 'a'],
  );
});

test('bounded loads: a key leaves its owner only while the owner has no room, for the next with room', () => {
  const pool = ['a', 'b', 'c'].map((id) => ({ id, weight: 1, load: new Load() }));
  const selector = buildConsistentHash(pool, defaultPointsPerWeight, '', 150);
  const clockwise = [0, 1, 2].map((attempt) => buildConsistentHash(pool).pick({ key: 'k', attempt }));
  const [owner, next] = clockwise as [(typeof pool)[0], (typeof pool)[0]];
  assert.equal(selector.pick({ key: 'k' }), owner);
  // 5 in flight, all on the owner: its room is ceil(1.5 x 6 / 3) = 3, so it has none.
  owner.load.active = 5;
  assert.equal(selector.pick({ key: 'k' }), next);
  owner.load.active = 2;
  // 2 in flight: with this request 3, within ceil(1.5 x 3 / 3) = 2? No: 3 > 2, so still the next.
  assert.equal(selector.pick({ key: 'k' }), next);
  owner.load.active = 1;
  // 1 in flight: with this request 2, within ceil(1.5 x 2 / 3) = 1? No. 0 in flight: 1 <= 1, yes.
  assert.equal(selector.pick({ key: 'k' }), next);
  owner.load.active = 0;
  assert.equal(selector.pick({ key: 'k' }), owner);
  selector.close?.();
  assert.deepEqual(
    pool.map((backend) => backend.load.watchers),
    [0, 0, 0],
  );
});

test('bounded loads: a ring built while requests are in flight counts them', () => {
  // A reload builds a new ring under traffic: the 5 requests already on the owner must count.
  const pool = ['a', 'b', 'c'].map((id) => ({ id, weight: 1, load: new Load() }));
  const [owner, next] = [0, 1].map((attempt) => buildConsistentHash(pool).pick({ key: 'k', attempt })) as [
    (typeof pool)[0],
    (typeof pool)[0],
  ];
  owner.load.active = 5;
  const selector = buildConsistentHash(pool, defaultPointsPerWeight, '', 150);
  assert.equal(selector.pick({ key: 'k' }), next);
  selector.close?.();
});

test('bounded loads: whatever the loads, the chosen backend keeps within its bound, and one always has room', () => {
  const draw = seededDraw(5);
  const pool = ['a', 'b', 'c', 'd'].map((id, i) => ({ id, weight: 1 + (i % 2), load: new Load() }));
  const selector = buildConsistentHash(pool, defaultPointsPerWeight, '', 125);
  const totalWeight = 6;
  for (let step = 0; step < 2_000; step++) {
    for (const backend of pool) backend.load.active = draw(4) === 0 ? draw(12) : draw(3);
    const inFlight = pool.reduce((sum, backend) => sum + backend.load.active, 0);
    const chosen = selector.pick({ key: `user-${draw(50)}` });
    assert.ok(chosen, `no backend had room at loads ${pool.map((b) => b.load.active)}`);
    const bound = Math.ceil((1.25 * (inFlight + 1) * chosen.weight) / totalWeight);
    assert.ok(chosen.load.active + 1 <= bound, `${chosen.id} at ${chosen.load.active} + 1 over ${bound}`);
  }
});

test('backends of weight 0 take no key and no keyless turn', () => {
  // Many of them, so that a single point each on the ring would catch a good share of the keys.
  const zeros = Array.from({ length: 100 }, (_, i) => backend(`zero-${i}`, 0));
  const selector = buildConsistentHash([backend('a'), ...zeros, backend('b')]);
  const chosen = [...keys.map((key) => selector.pick({ key })?.id), ...keys.map(() => selector.pick()?.id)];
  assert.deepEqual(new Set(chosen), new Set(['a', 'b']));
});

test('two ring points with the same hash are ordered by id, not by the order backends are listed in', () => {
  // Found by search: the only point of each of these ids hashes to the same 32-bit value.
  const [first, second] = ['c693596', 'c1170850'];
  assert.equal(hash32(`${first}#0`), hash32(`${second}#0`));
  const owners = (ids: string[]) => {
    const ring = buildConsistentHash(
      ids.map((id) => backend(id)),
      1,
    );
    return keys.slice(0, 50).flatMap((key) => [0, 1].map((attempt) => ring.pick({ key, attempt })?.id));
  };
  assert.deepEqual(owners([first, second]), owners([second, first]));
});
