/** One request of a comparison: when it went and came back, and who answered. */
export interface TimedExchange {
  readonly startMs: number;
  readonly endMs: number;
  /** The backend that answered (its x-backend-id), undefined when none did. */
  readonly backend: string | undefined;
  /** A 2xx answer. */
  readonly ok: boolean;
}

/** The nearest-rank percentile `q` (0-1] of `values`; NaN when there are none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

/** Per backend, the most of its requests that were in flight at one moment (as the client saw them). */
export function peakInFlight(exchanges: readonly TimedExchange[]): Record<string, number> {
  const edges = new Map<string, [number, number][]>();
  for (const { backend, startMs, endMs } of exchanges) {
    if (backend === undefined) continue;
    const list = edges.get(backend) ?? [];
    list.push([startMs, 1], [endMs, -1]);
    edges.set(backend, list);
  }
  const peaks: Record<string, number> = {};
  for (const [backend, list] of edges) {
    // Ends before starts at the same instant: a request that ended as another began did not overlap it.
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    let peak = 0;
    for (const [, step] of list) {
      now += step;
      peak = Math.max(peak, now);
    }
    peaks[backend] = peak;
  }
  return peaks;
}

/** Requests per backend. */
export function countsByBackend(exchanges: readonly TimedExchange[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { backend } of exchanges)
    if (backend !== undefined) counts[backend] = (counts[backend] ?? 0) + 1;
  return counts;
}

/**
 * Requests each backend received per `bucketMs` from `originMs` (by when they were sent): one row
 * per backend of `backends`, every row as long as the traffic lasted.
 */
export function loadOverTime(
  exchanges: readonly TimedExchange[],
  backends: readonly string[],
  originMs: number,
  bucketMs: number,
): Record<string, number[]> {
  const last = Math.max(originMs, ...exchanges.map((exchange) => exchange.startMs));
  const buckets = Math.floor((last - originMs) / bucketMs) + 1;
  const rows: Record<string, number[]> = {};
  for (const backend of backends) rows[backend] = new Array<number>(buckets).fill(0);
  for (const { backend, startMs } of exchanges) {
    const row = backend === undefined ? undefined : rows[backend];
    const bucket = Math.floor((startMs - originMs) / bucketMs);
    if (row) row[bucket] = (row[bucket] ?? 0) + 1;
  }
  return rows;
}

/** The share of keys answered by another backend in `after` than in `before` (keys in both only). */
export function keysMoved(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): number {
  let compared = 0;
  let moved = 0;
  for (const [key, backend] of before) {
    const now = after.get(key);
    if (now === undefined) continue;
    compared++;
    if (now !== backend) moved++;
  }
  return compared === 0 ? Number.NaN : moved / compared;
}
