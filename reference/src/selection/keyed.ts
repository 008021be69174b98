import { buildRoundRobin } from './round-robin.ts';
import type { Candidate, PickRequest, Selector } from './selector.ts';

/**
 * Lists, for a key, the positions of the backends in the order the key prefers them (repeats
 * allowed), calling `visit` on each until it returns true.
 */
export type PreferenceWalk = (key: string, visit: (position: number) => boolean) => void;

/**
 * A selector for a key-based lookup (a ring, a Maglev table): attempt k of a key is the k-th
 * distinct backend the walk meets, skipping, under bounded loads (`balanceFactor`), those without
 * room. Requests without a key take turns round robin.
 */
export function keyedSelector<B extends Candidate>(
  backends: readonly B[],
  walk: PreferenceWalk,
  balanceFactor?: number,
): Selector<B> {
  const keyless = buildRoundRobin(backends.filter((backend) => backend.weight > 0));
  const room = balanceFactor === undefined ? undefined : roomBy(backends, balanceFactor / 100);
  return {
    pick(request?: PickRequest) {
      if (request?.key === undefined) return keyless.pick();
      const wanted = request.attempt ?? 0;
      const seen = new Set<number>();
      let chosen: B | undefined;
      let passed = 0;
      walk(request.key, (position) => {
        if (seen.has(position)) return false;
        seen.add(position);
        const backend = backends[position] as B;
        if (room && !room.has(backend)) return false;
        if (passed === wanted) {
          chosen = backend;
          return true;
        }
        passed++;
        return false;
      });
      return chosen;
    },
    close: () => room?.close(),
  };
}

/**
 * Which backends may take one more request under bounded loads (as in "Consistent Hashing with
 * Bounded Loads"): room means that, with this request, the backend's requests in flight stay within
 * ceil(factor x (everything in flight + 1) x weight / total weight). The limits add up to more than
 * what is in flight, so some backend always has room and no key is ever refused. The total is kept
 * from each Load's announcements.
 */
function roomBy<B extends Candidate>(backends: readonly B[], factor: number) {
  const totalWeight = backends.reduce((sum, backend) => sum + backend.weight, 0);
  const seen = backends.map((backend) => backend.load.active);
  let total = seen.reduce((sum, active) => sum + active, 0);
  const unwatch = backends.map((backend, i) =>
    backend.load.watch(() => {
      total += backend.load.active - (seen[i] as number);
      seen[i] = backend.load.active;
    }),
  );
  return {
    has(backend: B): boolean {
      const limit = Math.ceil((factor * (total + 1) * backend.weight) / totalWeight);
      return backend.load.active + 1 <= limit;
    },
    close(): void {
      for (const stop of unwatch) stop();
    },
  };
}
