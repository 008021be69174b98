// The consistent-hashing mistakes of the catalogue: how each shows in rounds of the same keys (where
// every key landed each time), or in where a pool's requests went.
import { type KeyRoundChange, keyRoundChanges, type Measurements, sharesOf } from './measurements.ts';
import type { Mistake } from './mistake.ts';

// Scenarios that send the same keys twice with nothing changed between, or across a restart.
const sameKeyScenarios = ['hash-same-key-reaches-same', 'maglev-table-same-key-reaches'];
const keySourceScenarios = [
  'hash-key-can-come-cookie',
  'hash-key-can-come-query-parameter',
  'hash-key-can-come-path',
  'hash-key-can-come-client-address',
];
// Scenarios that send the same keys before and after a backend joins or leaves.
const membershipScenarios = [
  'hash-backend-added-four-takes',
  'hash-backend-removed-gives-up',
  'hash-backend-out-service-gives',
  'maglev-table-backend-added-four',
  'maglev-table-backend-removed-gives',
];

// Most keys moved: a consistent hash moves at most the changed backend's share (a fifth of four
// or five backends' keys), a hash of anything else moves about (n - 1) / n of them.
const mostKeys = 0.5;

const changes = (measured: Measurements, fits: (change: KeyRoundChange) => boolean): boolean =>
  keyRoundChanges(measured).some(fits);

/** The share of the pool's requests the busiest backend answered, when there were enough to tell. */
function busiestShare(measured: Measurements): number {
  const shares = sharesOf(measured);
  const total = shares.reduce((sum, count) => sum + count, 0);
  if (measured.backends.length < 2 || total < 8) return 0;
  return Math.max(...shares) / total;
}

export const hashingMistakes: readonly Mistake[] = [
  {
    id: 'hash-key-never-read',
    concept: 'consistent hashing',
    title: 'The key is never found, so every request takes its turn',
    mistake:
      'The balancer looks for the key where the config does not put it (another header, the raw Cookie line, the path with its query), finds none, and treats every request as keyless.',
    shows:
      'The keys spread over the backends in whole turns, exactly evenly, and the same keys sent again land elsewhere: most of them, with nothing changed in between.',
    rootCause:
      "The key's extraction was written for one source and not checked against the others, and the keyless fallback (round robin) hides it: traffic still spreads well.",
    fix: 'Read the key exactly where hashKey says (a header by name, one cookie of the Cookie header, one query parameter, the path without its query, the peer address without its port), and test that the same key twice lands on the same backend.',
    scenarios: [...sameKeyScenarios, ...keySourceScenarios, ...membershipScenarios],
    signature: (measured) =>
      changes(measured, (change) => change.moved >= mostKeys && change.earlierInTurns) ? 1 : 0,
  },
  {
    id: 'hash-of-more-than-the-key',
    concept: 'consistent hashing',
    title: 'More than the key is hashed',
    mistake:
      'The hash covers the whole Cookie header instead of one cookie, the query string with the path, the target instead of the parameter, or the client address with its port.',
    shows:
      'The same keys sent again, with nothing changed in between, land elsewhere (most of them), and not in whole turns: the extra bytes differ from one request to the next.',
    rootCause:
      'The key was taken as a whole field rather than the part hashKey names; whatever varies in the rest (another cookie, a new source port) moves the key.',
    fix: 'Extract exactly the named part and hash only it: the one cookie, the one parameter, the path without its query, the address without its port.',
    scenarios: keySourceScenarios,
    signature: (measured) =>
      changes(
        measured,
        (change) =>
          change.landingSet === 'same' &&
          !change.afterRestart &&
          change.moved >= mostKeys &&
          !change.earlierInTurns,
      )
        ? 1
        : 0,
  },
  {
    id: 'hash-seeded-per-process',
    concept: 'consistent hashing',
    title: 'The hash is seeded afresh at every start',
    mistake:
      "The ring or table is placed with a random seed (or the language's per-process randomised string hash), so each start of the balancer lays it out anew.",
    shows:
      'Keys stay put while the balancer runs, and most of them move when it restarts with the same backends.',
    rootCause:
      "Hash maps' default hashers are seeded per process against flooding, and a ring built from them moves with every start; a fleet of instances would disagree the same way.",
    fix: "Place points with a fixed hash of stable input (the backend's id and the point's index, e.g. with xxHash or a truncated SHA-256), never a per-process seed.",
    scenarios: sameKeyScenarios,
    signature(measured) {
      const all = keyRoundChanges(measured);
      const movedAtRestart = all.some(
        (change) => change.afterRestart && change.landingSet === 'same' && change.moved >= mostKeys,
      );
      const stableOtherwise = all.every((change) => change.afterRestart || change.moved < mostKeys);
      return movedAtRestart && stableOtherwise ? 1 : 0;
    },
  },
  {
    id: 'modulo-hashing',
    concept: 'consistent hashing',
    title: 'Keys are placed by hash modulo the number of backends',
    mistake:
      'backend = backends[hash(key) % backends.length]: a plain hash table instead of a ring or a Maglev table.',
    shows:
      'While nothing changes, keys stay put; when a backend joins, leaves or fails, most keys move, between backends that stayed as well as to or from the changed one.',
    rootCause:
      'A modulo ties every key to the count of backends: change the count and almost every key maps elsewhere, so caches behind the balancer go cold all at once.',
    fix: 'Use a ring with many points per backend (or a Maglev table) keyed by the backend id, so a change moves only the keys of the backend that changed; skip unavailable backends by walking on, not by recomputing over the available ones.',
    scenarios: membershipScenarios,
    signature: (measured) =>
      changes(
        measured,
        (change) =>
          (change.landingSet === 'one-added' || change.landingSet === 'one-gone') &&
          change.moved >= mostKeys &&
          !change.earlierInTurns,
      )
        ? 1
        : 0,
  },
  {
    id: 'maglev-permutation-by-position',
    concept: 'consistent hashing',
    title: "Maglev's permutations are drawn from each backend's position, not its name",
    mistake:
      "Each backend's offset and skip are computed from its index in the list, so removing one gives every backend listed after it another permutation.",
    shows:
      'With a Maglev table, removing a backend moves keys between backends that stayed, far more than the small fraction Maglev allows.',
    rootCause:
      "The table's stability comes from each backend's permutation depending on its own name alone; an index changes whenever the list does.",
    fix: "Derive offset and skip from hashes of the backend's id (two independent hashes), and fill the table in a fixed order of ids.",
    scenarios: ['maglev-table-backend-removed-gives'],
    signature: (measured) =>
      measured.hash?.method === 'maglev' &&
      changes(measured, (change) => change.landingSet === 'one-gone' && change.movedBetweenStayers >= 0.05)
        ? 1
        : 0,
  },
  {
    id: 'keyless-requests-pinned',
    concept: 'consistent hashing',
    title: 'Requests without a key all go to one backend',
    mistake:
      'A request without the key is hashed as if its key were empty (or a constant), so all of them land on one backend.',
    shows: 'Requests sent without the key all reach the same backend instead of taking turns.',
    rootCause:
      'The missing key was turned into a default value and hashed, instead of being treated as a case of its own.',
    fix: 'When the key is missing, balance the request another way (round robin over the available backends), as the spec states.',
    scenarios: ['hash-requests-without-key-take'],
    signature: (measured) =>
      measured.hash && !measured.hash.bounded && busiestShare(measured) === 1 ? 1 : 0,
  },
  {
    id: 'bounded-loads-ignored',
    concept: 'consistent hashing',
    title: 'A hot key piles up on its owner: loads are not bounded',
    mistake: 'hashBalanceFactor is read but never applied: a key always goes to its owner, however busy.',
    shows:
      "Many concurrent requests with one key all reach the key's owner; none spill over to the next backends.",
    rootCause:
      'Bounded loads need the in-flight count of every backend at pick time; a pick that only looks up the owner cannot see that it is full.',
    fix: 'At each pick, compute the bound ceil(factor x (in flight + 1) / backends) and walk the ring from the owner to the first backend below it; count a request in flight until its answer ends.',
    scenarios: ['hash-bounded-loads-hot-key'],
    signature: (measured) => (measured.hash?.bounded && busiestShare(measured) === 1 ? 1 : 0),
  },
];
