/**
 * Requests (HTTP) or connections (TCP) in flight to one backend address. Every change is announced
 * to the watchers, so that a selector ordering backends by load (least_connections) can keep its
 * order up to date instead of scanning every backend on each pick.
 */
export class Load {
  #active: number;
  readonly #watchers = new Set<() => void>();

  constructor(active = 0) {
    this.#active = active;
  }

  get active(): number {
    return this.#active;
  }

  set active(value: number) {
    this.#active = value;
    for (const watcher of this.#watchers) watcher();
  }

  /** Calls `watcher` after every change; returns the function that stops it. */
  watch(watcher: () => void): () => void {
    const own = (): void => watcher();
    this.#watchers.add(own);
    return () => this.#watchers.delete(own);
  }

  /** How many watch it now (a selector that was replaced must have stopped). */
  get watchers(): number {
    return this.#watchers.size;
  }
}
