/**
 * The order targets take in round `round` (0-based): each round starts one target further on
 * (A B C, B C A, C A B, ...), so no target is always first after the machine's quiet spells or
 * always last before them. Whatever drifts over a run then falls on every target in turn.
 */
export function roundOrder<T>(targets: readonly T[], round: number): T[] {
  if (targets.length === 0) return [];
  const start = round % targets.length;
  return [...targets.slice(start), ...targets.slice(0, start)];
}

/**
 * Requests each backend serves before any round is measured. Fixture backends are node processes:
 * they answer their first few thousand requests at up to three times the CPU per request of later
 * ones (measured behind 20 backends: 117 ms per 1,000 requests in the first 5 s, 43 in the next,
 * 33 from then on, at about 10,000 requests each). Measured cold, the first target would pay for
 * that, and with 20 backends one second of warm-up is 1,200 requests each.
 */
export const warmRequestsPerBackend = 12_000;

/** The most warm-up load one scenario is given, whatever it reached: a target may be slow or broken. */
export const maxWarmSeconds = 30;
