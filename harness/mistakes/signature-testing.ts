// For the tests of the mistakes' signatures: measurements built from a few fields, and what the
// diagnosis suggests for them.
import { diagnose } from './diagnose.ts';
import type { MeasuredExchange, Measurements } from './measurements.ts';

/** The ids of the mistakes the diagnosis suggests for `measured`, best fit first. */
export const suggested = (measured: Measurements): string[] => diagnose(measured).map(({ id }) => id);

/** A pool of `ids`, each of weight 1. */
export const poolOf = (...ids: string[]): Measurements['backends'] => ids.map((id) => ({ id, weight: 1 }));

/** Measurements over `backends`: a scenario, its exchanges, and whatever else it measured. */
export const measuredOver =
  (backends: Measurements['backends']) =>
  (
    scenario: string,
    exchanges: readonly MeasuredExchange[],
    extra: Partial<Measurements> = {},
  ): Measurements => ({
    scenario,
    backends,
    exchanges,
    ...extra,
  });
