import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildConsistentHash } from './consistent-hash.ts';

const backend = (id: string, weight = 1) => ({ id, weight, load: { active: 0 } });
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
