import type { Selector } from './selector.ts';

/**
 * Strict rotation in list order, starting at the first backend: with backends A B C the picks are
 * A B C A B C ... A single counter serves every listener and connection using the pool, so k x N
 * picks give each backend exactly k whatever the concurrency.
 */
export function buildRoundRobin<B>(backends: readonly B[]): Selector<B> {
  const frozen = [...backends];
  let next = 0;
  return {
    pick() {
      if (frozen.length === 0) return undefined;
      const chosen = frozen[next] as B;
      next = (next + 1) % frozen.length;
      return chosen;
    },
  };
}
