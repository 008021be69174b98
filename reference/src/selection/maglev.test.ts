import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededDraw } from '../testing/seeded-draw.ts';
import { Load } from './load.ts';
import { buildMaglev, maglevTableSize, populate } from './maglev.ts';

const backend = (id: string, weight = 1) => ({ id, weight, load: new Load() });
const slotsOf = (table: Int32Array, position: number) => table.filter((owner) => owner === position).length;

test('each backend claims its share of the slots: exactly, turn by turn, in proportion to weight', () => {
  const even = populate(
    ['a', 'b', 'c', 'd'].map((id) => backend(id)),
    maglevTableSize,
  );
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(slotsOf(even, i) - maglevTableSize / 4) <= 1);
  const weighted = populate([backend('a', 1), backend('b', 0), backend('c', 3)], maglevTableSize);
  assert.equal(slotsOf(weighted, 1), 0, 'weight 0 claims nothing');
  assert.ok(Math.abs(slotsOf(weighted, 2) / maglevTableSize - 0.75) < 0.001);
  assert.equal(populate([backend('a', 0)], 7).length, 0);
});

test('a newcomer takes its share of the slots, and hardly any slot changes hands between the others', () => {
  const before = populate(
    ['a', 'b', 'c', 'd'].map((id) => backend(id)),
    maglevTableSize,
  );
  const after = populate(
    ['a', 'b', 'c', 'd', 'e'].map((id) => backend(id)),
    maglevTableSize,
  );
  let toNewcomer = 0;
  let between = 0;
  for (let slot = 0; slot < maglevTableSize; slot++) {
    if (after[slot] === 4) toNewcomer++;
    else if (after[slot] !== before[slot]) between++;
  }
  assert.ok(Math.abs(toNewcomer / maglevTableSize - 0.2) < 0.001, `${toNewcomer}`);
  assert.ok(between / maglevTableSize < 0.01, `${between} slots moved between the old backends`);
});

test('the table depends on ids, not on the order backends are listed in', () => {
  const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}`);
  const placement = (ids: string[]) => {
    const selector = buildMaglev(ids.map((id) => backend(id)));
    return keys.map((key) => selector.pick({ key })?.id);
  };
  const listed = ['a', 'b', 'c', 'd', 'e'];
  const expected = placement(listed);
  for (const order of [
    ['c', 'b', 'a', 'e', 'd'],
    ['e', 'd', 'c', 'b', 'a'],
    ['b', 'e', 'a', 'd', 'c'],
  ]) {
    assert.deepEqual(placement(order), expected, `listed as ${order.join(',')}`);
  }
});

test('on any table, the first attempts of every key name every backend once', () => {
  // A table of 7 slots puts many keys in its first and last slots, where a walk may run off the end.
  const backends = ['a', 'b', 'c'].map((id) => backend(id));
  const selector = buildMaglev(backends, 7);
  for (let k = 0; k < 200; k++) {
    const attempts = [0, 1, 2].map((attempt) => selector.pick({ key: `k${k}`, attempt })?.id);
    assert.deepEqual([...attempts].sort(), ['a', 'b', 'c'], `key k${k}: ${attempts.join(',')}`);
  }
});

test('attempt k of a key is the k-th distinct backend after its slot; keyless requests take turns', () => {
  const selector = buildMaglev(['a', 'b', 'c'].map((id) => backend(id)));
  const attempts = [0, 1, 2].map((attempt) => selector.pick({ key: 'k', attempt })?.id);
  assert.equal(new Set(attempts).size, 3);
  assert.equal(selector.pick({ key: 'k', attempt: 3 }), undefined);
  assert.deepEqual(
    [0, 1, 2, 3].map(() => selector.pick()?.id),
    ['a', 'b', 'c', 'a'],
  );
});

test('for any ids and weights, a small table is full and each backend holds its weighted share within two slots', () => {
  // Small prime sizes make the rare permutations common: a skip of 0 or of the table's size, two
  // backends with the same start, a table that fills in the middle of a turn.
  const draw = seededDraw(20_261_203);
  for (const size of [7, 11, 13, 31, 101]) {
    for (let set = 0; set < 300; set++) {
      const backends = Array.from({ length: 1 + draw(5) }, (_, i) => backend(`s${set}-${i}`, draw(4)));
      const table = populate(backends, size);
      const total = backends.reduce((sum, { weight }) => sum + weight, 0);
      if (total === 0) {
        assert.equal(table.length, 0);
        continue;
      }
      assert.equal(table.length, size);
      backends.forEach(({ id, weight }, position) => {
        const share = (size * weight) / total;
        const held = slotsOf(table, position);
        assert.ok(
          Math.abs(held - share) <= 2,
          `${id} (weight ${weight}) holds ${held} of ${size} slots, share ${share}`,
        );
      });
      assert.equal(
        backends.reduce((sum, _, position) => sum + slotsOf(table, position), 0),
        size,
        'every slot names a backend',
      );
    }
  }
});
