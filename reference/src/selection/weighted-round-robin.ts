import type { Candidate, Selector } from './selector.ts';

/** The backends that share one weight, and how often the group has been picked in this cycle. */
interface WeightGroup<B> {
  readonly weight: number;
  readonly members: readonly B[];
  /** Index in the pool's list of each member, for nginx's tie-break (earliest listed wins). */
  readonly listIndex: readonly number[];
  picks: number;
}

/**
 * Smooth weighted round robin, in exactly nginx's order: each pick adds every backend's weight to
 * its score, picks the highest (ties to the earliest listed) and takes the total weight W off the
 * winner. Over every W picks each backend gets exactly its weight, spread out rather than in
 * bursts. Weights 5,1,1 give A A B A C A A. Weight 0 is never picked.
 *
 * After t picks a backend of weight w picked c times scores t*w - W*c. Backends of equal weight
 * differ only in c, so within such a group the least picked (then the earliest listed) leads and
 * members take turns in list order: the group needs one counter, not one score per member. A pick
 * therefore compares one candidate per distinct weight, O(distinct weights) instead of O(n): at
 * most 1,001 with the schema's 0-1000 weights, however many backends a pool has.
 */
export function buildWeightedRoundRobin<B extends Candidate>(backends: readonly B[]): Selector<B> {
  const byWeight = new Map<number, WeightGroup<B>>();
  backends.forEach((backend, index) => {
    if (backend.weight <= 0) return;
    let group = byWeight.get(backend.weight);
    if (!group) {
      group = { weight: backend.weight, members: [], listIndex: [], picks: 0 };
      byWeight.set(backend.weight, group);
    }
    (group.members as B[]).push(backend);
    (group.listIndex as number[]).push(index);
  });
  const groups = [...byWeight.values()];
  const total = backends.reduce((sum, backend) => sum + Math.max(0, backend.weight), 0);
  // Picks made in this cycle of `total`; the scores repeat from one cycle to the next.
  let step = 0;
  return {
    pick() {
      if (groups.length === 0) return undefined;
      step++;
      let best: WeightGroup<B> | undefined;
      let bestScore = 0;
      let bestIndex = 0;
      for (const group of groups) {
        const size = group.members.length;
        // Picks of the group's next member: every member had `round` picks, the first `turn` one more.
        const round = Math.floor(group.picks / size);
        const turn = group.picks % size;
        const score = step * group.weight - total * round;
        const index = group.listIndex[turn] as number;
        if (!best || score > bestScore || (score === bestScore && index < bestIndex)) {
          best = group;
          bestScore = score;
          bestIndex = index;
        }
      }
      const chosen = best as WeightGroup<B>;
      const member = chosen.members[chosen.picks % chosen.members.length] as B;
      chosen.picks++;
      if (step === total) {
        // A full cycle: every backend got exactly its weight, and every score is back at zero.
        step = 0;
        for (const group of groups) group.picks = 0;
      }
      return member;
    },
  };
}
