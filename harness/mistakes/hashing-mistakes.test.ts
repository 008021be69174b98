import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../checks/seeded-random.ts';
import type { KeyRound, MeasuredExchange, Measurements } from './measurements.ts';
import { suggested } from './signature-testing.ts';

const four = ['b1', 'b2', 'b3', 'b4'];
const keys = Array.from({ length: 400 }, (_, i) => `user-${i}`);

/** Where keys land under a stable hash over `backends` (a stand-in: any fixed function of key and set). */
function stable(backends: readonly string[], seed = 1): Map<string, string> {
  // Each key gets a fixed rank per backend; it lands on its best-ranked backend (rendezvous), so a
  // change of backends moves only the keys of the backend that changed.
  return new Map(
    keys.map((key) => {
      let best = '';
      let bestRank = -1;
      for (const backend of backends) {
        let h = seed;
        for (const char of `${key}/${backend}`) h = (Math.imul(h, 31) + char.charCodeAt(0)) >>> 0;
        const rank = seededRandom(h)();
        if (rank > bestRank) [best, bestRank] = [backend, rank];
      }
      return [key, best];
    }),
  );
}

/** Keys dealt out in turns, as a balancer that never finds the key does. */
function inTurns(backends: readonly string[], offset = 0): Map<string, string> {
  return new Map(keys.map((key, i) => [key, backends[(i + offset) % backends.length] as string]));
}

/** Keys placed by hash modulo the number of backends. */
function modulo(backends: readonly string[]): Map<string, string> {
  return new Map(
    keys.map((key) => {
      let h = 2166136261;
      for (const char of key) h = Math.imul(h ^ char.charCodeAt(0), 16777619) >>> 0;
      return [key, backends[h % backends.length] as string];
    }),
  );
}

const round = (landed: Map<string, string>, afterRestart = false): KeyRound => ({ landed, afterRestart });
const hashed = (
  scenario: string,
  keyRounds: readonly KeyRound[],
  hash: Measurements['hash'] = { method: 'ring', bounded: false },
  exchanges: readonly MeasuredExchange[] = [],
  backends = four,
): Measurements => ({
  scenario,
  backends: backends.map((id) => ({ id, weight: 1 })),
  exchanges,
  hash,
  keyRounds,
});
const top = suggested;

test('a correct consistent hash fits no hashing mistake: keys stay, and a change moves only its own', () => {
  const same = [round(stable(four)), round(stable(four)), round(stable(four), true)];
  assert.deepEqual(top(hashed('hash-same-key-reaches-same', same)), []);
  const added = [round(stable(four)), round(stable([...four, 'b5']))];
  assert.deepEqual(top(hashed('hash-backend-added-four-takes', added)), []);
  const removed = [round(stable(four)), round(stable(['b1', 'b3', 'b4']))];
  assert.deepEqual(
    top(hashed('maglev-table-backend-removed-gives', removed, { method: 'maglev', bounded: false })),
    [],
  );
});

test('keys dealt in turns point to a key never read; moved at a restart only, to a per-process seed', () => {
  const turns = [round(inTurns(four)), round(inTurns(four, 1))];
  assert.deepEqual(top(hashed('hash-same-key-reaches-same', turns)), ['hash-key-never-read']);
  assert.deepEqual(top(hashed('hash-key-can-come-cookie', turns)), ['hash-key-never-read']);
  const reseeded = [round(stable(four)), round(stable(four)), round(stable(four, 99), true)];
  assert.deepEqual(top(hashed('hash-same-key-reaches-same', reseeded)), ['hash-seeded-per-process']);
  const wider = [round(stable(four)), round(stable(four, 42))];
  assert.deepEqual(top(hashed('hash-key-can-come-client-address', wider)), ['hash-of-more-than-the-key']);
});

test('most keys moving when one backend joins or leaves points to modulo hashing', () => {
  const added = [round(modulo(four)), round(modulo([...four, 'b5']))];
  assert.deepEqual(top(hashed('hash-backend-added-four-takes', added)), ['modulo-hashing']);
  const turnsThenAdded = [round(inTurns(four)), round(inTurns([...four, 'b5'], 3))];
  assert.deepEqual(top(hashed('hash-backend-added-four-takes', turnsThenAdded)), ['hash-key-never-read']);
});

test('with Maglev, keys moving between backends that stayed point to permutations by position', () => {
  const removed = stable(['b1', 'b3', 'b4']);
  // A fifth of the stayers' keys reshuffled among them, as a table rebuilt from positions does.
  let shuffled = 0;
  for (const [key, backend] of removed) {
    if (shuffled < 60 && backend === 'b3') {
      removed.set(key, 'b4');
      shuffled++;
    }
  }
  const rounds = [round(stable(four)), round(removed)];
  const maglev = { method: 'maglev', bounded: false } as const;
  assert.deepEqual(top(hashed('maglev-table-backend-removed-gives', rounds, maglev)), [
    'maglev-permutation-by-position',
  ]);
  assert.deepEqual(top(hashed('hash-backend-removed-gives-up', rounds)), []);
});

test('every request on one backend: keyless requests pinned, or a hot key with bounded loads ignored', () => {
  const allOnB2 = Array.from({ length: 12 }, (_, seq) => ({
    client: seq,
    seq,
    sentAtMs: 0,
    durationMs: 200,
    backendId: 'b2',
  }));
  const three = ['b1', 'b2', 'b3'];
  assert.deepEqual(
    top(hashed('hash-requests-without-key-take', [], { method: 'ring', bounded: false }, allOnB2, three)),
    ['keyless-requests-pinned'],
  );
  assert.deepEqual(
    top(hashed('hash-bounded-loads-hot-key', [], { method: 'ring', bounded: true }, allOnB2, three)),
    ['bounded-loads-ignored'],
  );
  const spread = allOnB2.map((exchange, i) => ({ ...exchange, backendId: three[i % 3] as string }));
  assert.deepEqual(
    top(hashed('hash-bounded-loads-hot-key', [], { method: 'ring', bounded: true }, spread, three)),
    [],
  );
});
