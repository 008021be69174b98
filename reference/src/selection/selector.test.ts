import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectorBuilders } from './builders.ts';
import { buildConsistentHash } from './consistent-hash.ts';
import { Load } from './load.ts';
import { buildMaglev } from './maglev.ts';
import type { SelectorSettings } from './selector.ts';

const keys = Array.from({ length: 2_000 }, (_, i) => `user-${i}`);
const backends = (active: number[]) =>
  active.map((count, i) => ({ id: `b${i}`, weight: 1, load: new Load(count) }));
const placement = (selector: { pick(request: { key: string }): { id: string } | undefined }) =>
  keys.map((key) => selector.pick({ key })?.id);
const configured = (settings: SelectorSettings | undefined, active = [0, 0, 0]) =>
  placement(selectorBuilders.consistent_hash(backends(active), Math.random, settings));

test('consistent_hash builds the lookup the config names: a ring by default, Maglev when asked', () => {
  const ring = placement(buildConsistentHash(backends([0, 0, 0])));
  const maglev = placement(buildMaglev(backends([0, 0, 0])));
  assert.notDeepEqual(
    ring,
    maglev,
    'the two lookups must place some key differently for this test to tell them apart',
  );
  assert.deepEqual(configured(undefined), ring);
  assert.deepEqual(configured({}), ring);
  assert.deepEqual(configured({ hashMethod: 'ring' }), ring);
  assert.deepEqual(configured({ hashMethod: 'maglev' }), maglev);
});

test('consistent_hash passes the balance factor on to either lookup', () => {
  // b0 holds 10 requests and the others none: under a factor of 125% it has no room for any key.
  for (const hashMethod of ['ring', 'maglev'] as const) {
    assert.ok(
      configured({ hashMethod }, [10, 0, 0]).includes('b0'),
      `${hashMethod}: without a factor b0 keeps its keys`,
    );
    assert.ok(
      !configured({ hashMethod, hashBalanceFactor: 125 }, [10, 0, 0]).includes('b0'),
      `${hashMethod}: b0 has no room`,
    );
  }
});
