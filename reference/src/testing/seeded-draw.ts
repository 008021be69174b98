/**
 * Reproducible draws for randomised tests: a Lehmer generator (the "minimal standard", multiplier
 * 16,807 modulo 2^31 - 1) started at `seed`. Each call gives a whole number below `below`.
 */
export function seededDraw(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 16_807) % 2_147_483_647;
    return state % below;
  };
}
