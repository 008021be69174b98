import type { Candidate, Selector } from './selector.ts';

/**
 * Smooth weighted round robin (nginx's): each pick adds every backend's weight to its current
 * score, picks the highest (ties to the earliest listed) and takes the total weight off the winner.
 * Over every W = sum(weights) picks each backend gets exactly its weight, spread out rather than
 * in bursts. Weights 5,1,1 give A A B A C A A. Weight 0 is never picked.
 * TODO: O(n) per pick; issue 8 asks for O(1) or O(log n) (e.g. a precomputed schedule of W picks).
 */
export function buildWeightedRoundRobin<B extends Candidate>(backends: readonly B[]): Selector<B> {
  const eligible = backends.filter((backend) => backend.weight > 0);
  const total = eligible.reduce((sum, backend) => sum + backend.weight, 0);
  const current = eligible.map(() => 0);
  return {
    pick() {
      let best = -1;
      for (let i = 0; i < eligible.length; i++) {
        current[i] = (current[i] as number) + (eligible[i] as B).weight;
        if (best < 0 || (current[i] as number) > (current[best] as number)) best = i;
      }
      if (best < 0) return undefined;
      current[best] = (current[best] as number) - total;
      return eligible[best];
    },
  };
}
