import { type Candidate, compareLoad, type Selector } from './selector.ts';

/** A backend's place in the heap and when it was last picked. */
interface Entry<B> {
  readonly backend: B;
  position: number;
  lastPicked: number;
}

/**
 * The backend with the fewest requests in flight relative to its weight (active/weight); ties go
 * to the one picked least recently, so equally idle backends take turns in list order instead of
 * the first always winning. Weight 0 is never picked.
 *
 * A binary heap ordered by (load, last picked) keeps the least loaded on top: a pick and every
 * change of a backend's load (its Load announces it, see load.ts) cost O(log n). A candidate whose
 * load cannot be watched (a plain object) is read when the selector is built and after each pick.
 */
export function buildLeastConnections<B extends Candidate>(backends: readonly B[]): Selector<B> {
  const heap: Entry<B>[] = backends
    .filter((backend) => backend.weight > 0)
    .map((backend, i, all) => ({ backend, position: i, lastPicked: i - all.length }));
  const before = (a: Entry<B>, b: Entry<B>): boolean => {
    const byLoad = compareLoad(a.backend, b.backend);
    return byLoad < 0 || (byLoad === 0 && a.lastPicked < b.lastPicked);
  };
  const place = (entry: Entry<B>, at: number): void => {
    heap[at] = entry;
    entry.position = at;
  };
  const siftUp = (entry: Entry<B>): void => {
    let at = entry.position;
    while (at > 0) {
      const parent = heap[(at - 1) >> 1] as Entry<B>;
      if (!before(entry, parent)) break;
      place(parent, at);
      at = (at - 1) >> 1;
    }
    place(entry, at);
  };
  const siftDown = (entry: Entry<B>): void => {
    let at = entry.position;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && before(heap[right] as Entry<B>, heap[left] as Entry<B>) ? right : left;
      if (!before(heap[child] as Entry<B>, entry)) break;
      place(heap[child] as Entry<B>, at);
      at = child;
    }
    place(entry, at);
  };
  const reorder = (entry: Entry<B>): void => {
    siftUp(entry);
    siftDown(entry);
  };
  // The initial order: lastPicked increases along the list, so a heap built by sifting is exact.
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap[i] as Entry<B>);
  const unwatch = heap.map((entry) => entry.backend.load.watch(() => reorder(entry)));
  let picks = 0;
  return {
    pick() {
      const top = heap[0];
      if (!top) return undefined;
      top.lastPicked = ++picks;
      reorder(top);
      return top.backend;
    },
    close() {
      for (const stop of unwatch) stop();
    },
  };
}
