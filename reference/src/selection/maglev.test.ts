import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMaglev, maglevTableSize, populate } from './maglev.ts';

const backend = (id: string, weight = 1) => ({ id, weight, load: { active: 0 } });
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
  const forward = buildMaglev(['a', 'b', 'c'].map((id) => backend(id)));
  const backward = buildMaglev(['c', 'b', 'a'].map((id) => backend(id)));
  assert.deepEqual(
    keys.map((key) => forward.pick({ key })?.id),
    keys.map((key) => backward.pick({ key })?.id),
  );
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
