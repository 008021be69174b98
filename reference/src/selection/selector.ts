import type { Algorithm } from '../config/types.ts';
import { buildRoundRobin } from './round-robin.ts';

/**
 * Chooses a backend for one request or connection. Built from a frozen snapshot of a pool's
 * backends; when membership changes, a new selector is built and swapped in whole.
 */
export interface Selector<B> {
  /** The backend for the next request; undefined only when the snapshot is empty. */
  pick(): B | undefined;
}

export type SelectorBuilder = <B>(backends: readonly B[]) => Selector<B>;

/** The builder for each algorithm a config may name. */
export const selectorBuilders: Readonly<Record<Algorithm, SelectorBuilder>> = {
  round_robin: buildRoundRobin,
};
