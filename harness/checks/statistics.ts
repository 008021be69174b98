import { ExpectationError } from './expectations.ts';

/** The false-failure probability of one distribution check unless a scenario states another. */
export const defaultFalseFailure = 1e-6;

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++)
    logFactorials.push((logFactorials[i - 1] as number) + Math.log(i));
  return logFactorials[n] as number;
}

function binomialPmf(n: number, p: number, k: number): number {
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  return Math.exp(
    logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p),
  );
}

/**
 * The exact two-sided acceptance interval of a Binomial(n, p) count: the most that a correct
 * balancer falls below `low` or above `high` is `tail` each. Example: n = 6000, p = 0.7,
 * tail = 2.5e-7 gives [4020, 4377], shares 0.670 to 0.730.
 */
export function binomialInterval(n: number, p: number, tail: number): { low: number; high: number } {
  let below = 0;
  let low = 0;
  while (low <= n && below + binomialPmf(n, p, low) <= tail) below += binomialPmf(n, p, low++);
  let above = 0;
  let high = n;
  while (high >= 0 && above + binomialPmf(n, p, high) <= tail) above += binomialPmf(n, p, high--);
  return { low, high };
}

/** P(Binomial(n, p) >= k). */
function binomialUpperTail(n: number, p: number, k: number): number {
  let sum = 0;
  for (let i = k; i <= n; i++) sum += binomialPmf(n, p, i);
  return Math.min(1, sum);
}

/**
 * The share of a hash ring that one backend's `points` take among `backends` backends of `points`
 * each, when the balancer places points as a good hash does (independently and uniformly): the
 * spacings of uniform points are Dirichlet, so one backend's share is Beta(points, (backends - 1) x
 * points), and for whole parameters P(Beta(a, b) <= x) = P(Binomial(a + b - 1, x) >= a). Returns
 * the shares a layout falls below or above with probability at most `tail` each. Example: 160
 * points, 5 backends, tail 2.5e-7: [0.135, 0.274] around 0.2. How a balancer hashes its points is
 * its own choice, so a check on a newcomer's share must allow every layout this wide.
 */
export function ringShareInterval(
  points: number,
  backends: number,
  tail: number,
): { low: number; high: number } {
  const a = points;
  const n = backends * points - 1;
  const below = (x: number) => binomialUpperTail(n, x, a);
  const quantile = (wanted: (x: number) => boolean) => {
    let low = 0;
    let high = 1;
    for (let i = 0; i < 60; i++) {
      const middle = (low + high) / 2;
      if (wanted(middle)) low = middle;
      else high = middle;
    }
    return low;
  };
  return {
    low: quantile((x) => below(x) <= tail),
    high: 1 - quantile((x) => 1 - below(1 - x) <= tail),
  };
}

/**
 * How likely `requests` independent uniform draws over `backends` backends all land on one of
 * them: the false-failure probability of "not all on one backend" for a balancer that picks at
 * random. Example: 3 backends, 15 requests -> 2.1e-7.
 */
export function allOnOneProbability(backends: number, requests: number): number {
  return backends * (1 / backends) ** requests;
}

/** Per backend tail probability so that the whole check of k backends fails a correct balancer at most `falseFailure` (Bonferroni, two-sided). */
export function tailPerBackend(backends: number, falseFailure: number): number {
  return falseFailure / (2 * backends);
}

/**
 * The smallest sample that, checked at `falseFailure` over `backends` backends, rejects a backend
 * whose true share is `actual` instead of `expected` with probability at least `power`.
 * Example: expected 0.7, actual 0.65, 2 backends, 1e-6, power 0.999 -> 5,760.
 */
export function requiredSampleSize(
  expected: number,
  actual: number,
  backends: number,
  falseFailure: number,
  power: number,
): number {
  const caught = (n: number) => {
    const { low, high } = binomialInterval(n, expected, tailPerBackend(backends, falseFailure));
    let inside = 0;
    for (let k = low; k <= high; k++) inside += binomialPmf(n, actual, k);
    return 1 - inside >= power;
  };
  let high = 16;
  while (!caught(high)) high *= 2;
  let low = high / 2;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (caught(middle)) high = middle;
    else low = middle;
  }
  return high;
}

/** Each backend's count against its share, and the interval a correct balancer's count falls in. */
export interface ShareCheck {
  readonly n: number;
  readonly falseFailure: number;
  readonly rows: readonly {
    readonly id: string;
    readonly count: number;
    readonly share: number;
    readonly expected: number;
    readonly low: number;
    readonly high: number;
    readonly ok: boolean;
  }[];
  /** Backends that answered although they have no share. */
  readonly strangers: readonly string[];
}

/**
 * Compares `counts` with `expectedShares` (by backend id, summing to 1): each count's interval is
 * what a correct random balancer stays within but with probability `falseFailure` for the whole check.
 */
export function checkShares(
  counts: ReadonlyMap<string, number>,
  expectedShares: ReadonlyMap<string, number>,
  falseFailure: number = defaultFalseFailure,
): ShareCheck {
  const n = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const tail = tailPerBackend(expectedShares.size, falseFailure);
  const rows = [...expectedShares].map(([id, share]) => {
    const count = counts.get(id) ?? 0;
    const { low, high } = binomialInterval(n, share, tail);
    return { id, count, share, expected: n * share, low, high, ok: count >= low && count <= high };
  });
  const strangers = [...counts.keys()].filter((id) => !expectedShares.has(id) && (counts.get(id) ?? 0) > 0);
  return { n, falseFailure, rows, strangers };
}

/**
 * Throws unless every count of `check` is within its interval and no stranger answered. The failure
 * lists every backend's count, expected count and share, deviation, and the interval it had to fall in.
 */
export function assertShares({ n, falseFailure, rows, strangers }: ShareCheck): void {
  if (rows.every((row) => row.ok) && strangers.length === 0) return;
  const table = rows.map(
    (row) =>
      `  ${row.ok ? ' ' : '!'} ${row.id}: ${row.count} (expected ${row.expected.toFixed(1)}, share ${(row.count / n).toFixed(4)} vs ${row.share.toFixed(4)}, deviation ${(row.count - row.expected).toFixed(1)}, allowed ${row.low}..${row.high})`,
  );
  if (strangers.length > 0) table.push(`  ! answers from backends not in the pool: ${strangers.join(', ')}`);
  throw new ExpectationError(
    `expected ${n} requests spread in the shares below, within exact binomial bounds at a false-failure probability of ${falseFailure} for the whole check:\n${table.join('\n')}`,
  );
}

/** checkShares, then assertShares. */
export function expectShares(
  counts: ReadonlyMap<string, number>,
  expectedShares: ReadonlyMap<string, number>,
  falseFailure: number = defaultFalseFailure,
): void {
  assertShares(checkShares(counts, expectedShares, falseFailure));
}
