import { keyedSelector } from './keyed.ts';
import type { Candidate, Selector } from './selector.ts';

/** What a ring is built from: a backend's identity and weight. */
export interface HashCandidate extends Candidate {
  /** Stable across restarts and reloads; its ring points derive from it alone. */
  readonly id: string;
}

/** Points on the ring per unit of weight, as nginx's ketama (160). */
export const defaultPointsPerWeight = 160;

/**
 * Consistent hashing on a ring: each backend owns `pointsPerWeight` x weight points placed by a hash
 * of its id, and a key goes to the owner of the first point at or after the key's hash (wrapping).
 * Points depend on ids only, so the ring a subset of backends makes is the full ring without the
 * others' points: a backend that leaves gives up exactly its own keys, and one that joins takes
 * keys only for itself. Attempt k of a key is the k-th distinct backend clockwise (retries stay as
 * close to the owner as possible). Requests without a key take turns round robin.
 *
 * With `balanceFactor` (bounded loads, as in "Consistent Hashing with Bounded Loads"), the walk
 * clockwise skips backends without room: room means that, with this request, the backend's
 * requests in flight stay within ceil(balanceFactor / 100 x (everything in flight + 1) x
 * weight / total weight). At least one backend always has room, so no key is ever refused.
 */
export function buildConsistentHash<B extends HashCandidate>(
  backends: readonly B[],
  pointsPerWeight = defaultPointsPerWeight,
  /** Prefixed to every point's name; only the hash-seeded-per-start broken balancer sets one. */
  seed = '',
  balanceFactor?: number,
): Selector<B> {
  const points: { hash: number; owner: number }[] = [];
  backends.forEach((backend, owner) => {
    for (let i = 0; i < backend.weight * pointsPerWeight; i++)
      points.push({ hash: hash32(`${seed}${backend.id}#${i}`), owner });
  });
  // Ties (equal hashes) go to the earlier-listed id's point: sort by hash, then by id.
  points.sort((a, b) => a.hash - b.hash || compareIds(backends[a.owner] as B, backends[b.owner] as B));
  const hashes = Uint32Array.from(points, (point) => point.hash);
  const owners = Uint32Array.from(points, (point) => point.owner);
  return keyedSelector(
    backends,
    (key, visit) => {
      if (owners.length === 0) return;
      const start = firstAtOrAfter(hashes, hash32(key));
      for (let step = 0; step < owners.length; step++) {
        if (visit(owners[(start + step) % owners.length] as number)) return;
      }
    },
    balanceFactor,
  );
}

function compareIds(a: HashCandidate, b: HashCandidate): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

// The index of the first element >= value, or 0 when every element is smaller (the ring wraps).
function firstAtOrAfter(sorted: Uint32Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low === sorted.length ? 0 : low;
}

/** FNV-1a over the UTF-16 code units, finished with murmur3's fmix32 so nearby keys spread. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
