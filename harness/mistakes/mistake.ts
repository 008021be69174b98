import type { Measurements } from './measurements.ts';

/**
 * A mistake builders of balancers commonly make: what it is, how it shows in what the suite
 * measures, why it happens and how to fix it. `signature` reads a failed scenario's measurements
 * and says how well they fit the mistake, from 0 (not at all) to 1 (exactly its shape).
 */
export interface Mistake {
  /** Stable, used in links (docs/mistakes.md#<id>) and by broken balancers (`// mistake: <id>`). */
  readonly id: string;
  readonly concept: string;
  readonly title: string;
  readonly mistake: string;
  /** Its signature in the measurements, in words (the function below reads it in numbers). */
  readonly shows: string;
  readonly rootCause: string;
  readonly fix: string;
  /** The scenarios whose failure it can explain, by id. */
  readonly scenarios: readonly string[];
  signature(measured: Measurements): number;
}
