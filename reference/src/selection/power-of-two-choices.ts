import { type Candidate, compareLoad, type Random, type Selector } from './selector.ts';

/**
 * Power of two choices: draw two distinct backends uniformly at random and take the one with fewer
 * requests in flight relative to its weight (the first drawn on a tie). O(1) per pick. The most
 * loaded backend therefore never wins while another exists. Weight 0 is never picked.
 */
export function buildPowerOfTwoChoices<B extends Candidate>(
  backends: readonly B[],
  random: Random = Math.random,
): Selector<B> {
  const eligible = backends.filter((backend) => backend.weight > 0);
  return {
    pick() {
      const count = eligible.length;
      if (count < 2) return eligible[0];
      const first = Math.floor(random() * count);
      // A second index from the other count - 1, so the two are always distinct.
      let second = Math.floor(random() * (count - 1));
      if (second >= first) second++;
      const a = eligible[first] as B;
      const b = eligible[second] as B;
      return compareLoad(b, a) < 0 ? b : a;
    },
  };
}
