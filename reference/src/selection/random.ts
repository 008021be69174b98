import type { Candidate, Random, Selector } from './selector.ts';

/** Uniform over the pool's backends, ignoring weights and load. O(1) per pick. */
export function buildRandom<B extends Candidate>(
  backends: readonly B[],
  random: Random = Math.random,
): Selector<B> {
  const frozen = [...backends];
  return {
    pick: () => (frozen.length === 0 ? undefined : frozen[Math.floor(random() * frozen.length)]),
  };
}
