// What a selection algorithm is to the rest of the balancer: the interfaces every algorithm
// implements and the load comparison they share. The algorithms themselves, and the table of them a
// config's "algorithm" names, are in their own modules (builders.ts), so that none imports back here
// more than these types.

/** What a selector may look at: the configured weight and the live load of a backend. */
export interface Candidate {
  readonly weight: number;
  /**
   * Requests (HTTP) or connections (TCP) in flight to it now, shared by every pool snapshot; `watch`
   * (see load.ts) tells a selector of every change.
   */
  readonly load: { readonly active: number; watch(watcher: () => void): () => void };
}

/**
 * Chooses a backend for one request or connection. Built from a frozen snapshot of a pool's
 * backends; when membership changes, a new selector is built and swapped in whole.
 */
export interface Selector<B> {
  /** The backend for the next request; undefined when no backend may be chosen. */
  pick(request?: PickRequest): B | undefined;
  /** Stops whatever it watches; called once it has been replaced. */
  close?(): void;
}

/** What a key-based selector needs to know of a request; the others ignore it. */
export interface PickRequest {
  /** The request's hash key (consistent_hash); undefined when the request has none. */
  readonly key?: string | undefined;
  /** 0 for the first choice, k for the k-th alternative (retries, skipped backends). */
  readonly attempt?: number;
}

/** A source of uniform floats in [0, 1); Math.random unless a test injects its own. */
export type Random = () => number;

/** What a pool's config says about its selector beyond the algorithm. */
export interface SelectorSettings {
  /** consistent_hash: bounded loads, in percent of a backend's share (see the schema). */
  readonly hashBalanceFactor?: number | undefined;
  /** consistent_hash: the lookup, a ring (default) or a Maglev table. */
  readonly hashMethod?: 'ring' | 'maglev' | undefined;
}

export type SelectorBuilder = <B extends Candidate & { readonly id: string }>(
  backends: readonly B[],
  random?: Random,
  settings?: SelectorSettings,
) => Selector<B>;

/** Compares loads relative to weights, a.active/a.weight vs b.active/b.weight, without division. */
export function compareLoad(a: Candidate, b: Candidate): number {
  return a.load.active * b.weight - b.load.active * a.weight;
}
