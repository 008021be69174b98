import { type Candidate, compareLoad, type Selector } from './selector.ts';

/**
 * The backend with the fewest requests in flight relative to its weight (active/weight); ties are
 * broken by rotation, so equally idle backends take turns instead of the first always winning.
 * Weight 0 is never picked.
 * TODO: O(n) per pick (a scan, as nginx does); issue 8 asks for O(log n) (a heap on active/weight).
 */
export function buildLeastConnections<B extends Candidate>(backends: readonly B[]): Selector<B> {
  const eligible = backends.filter((backend) => backend.weight > 0);
  let cursor = 0;
  return {
    pick() {
      const count = eligible.length;
      let best = -1;
      for (let step = 0; step < count; step++) {
        const i = (cursor + step) % count;
        if (best < 0 || compareLoad(eligible[i] as B, eligible[best] as B) < 0) best = i;
      }
      if (best < 0) return undefined;
      cursor = (best + 1) % count;
      return eligible[best];
    },
  };
}
