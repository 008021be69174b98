import type { Exchange } from '../clients/traffic.ts';

/** A failed expectation; its message says what was expected, what was seen, with numbers. */
export class ExpectationError extends Error {
  readonly code = 'LBSPEC_EXPECTATION';

  constructor(message: string) {
    super(message);
    // Where in the harness the check sits says nothing of the balancer: reports show the message alone.
    this.stack = `${this.name}: ${message}`;
  }
}

function fail(message: string): never {
  throw new ExpectationError(message);
}

/** Counts how many exchanges each backend answered, in the order `ids` gives. */
export function countByBackend(exchanges: readonly Exchange[], ids: readonly string[]): Map<string, number> {
  const counts = new Map(ids.map((id) => [id, 0]));
  for (const exchange of exchanges) {
    if (exchange.backendId !== undefined)
      counts.set(exchange.backendId, (counts.get(exchange.backendId) ?? 0) + 1);
  }
  return counts;
}

function describeExchange(exchange: Exchange): string {
  const outcome = exchange.error
    ? `error ${exchange.error}`
    : (exchange.note ?? `answered by ${exchange.backendId}`);
  return `client ${exchange.client} request ${exchange.seq}: ${outcome}`;
}

function listSome(lines: readonly string[], limit = 10): string {
  const shown = lines.slice(0, limit).map((line) => `  ${line}`);
  if (lines.length > limit) shown.push(`  ... and ${lines.length - limit} more`);
  return shown.join('\n');
}

/** Every exchange got a 2xx answer (HTTP) or a greeting (TCP) from an identified backend. */
export function expectAllSucceeded(exchanges: readonly Exchange[]): void {
  const failed = exchanges.filter(
    (exchange) =>
      exchange.error !== undefined ||
      exchange.backendId === undefined ||
      (exchange.status !== undefined && (exchange.status < 200 || exchange.status > 299)),
  );
  if (failed.length > 0) {
    fail(
      `expected all ${exchanges.length} requests to succeed, but ${failed.length} did not:\n${listSome(failed.map(describeExchange))}`,
    );
  }
}

/**
 * Each backend received exactly `expected`, counted by the backends themselves (`received`) and by
 * the clients from the answers (`answered`); both must agree.
 */
export function expectExactShare(
  received: ReadonlyMap<string, number>,
  answered: ReadonlyMap<string, number>,
  expected: number,
): void {
  const rows = [...received].map(([id, count]) => ({ id, count, answered: answered.get(id) ?? 0 }));
  const wrong = rows.filter((row) => row.count !== expected || row.answered !== expected);
  const strangers = [...answered.keys()].filter((id) => !received.has(id));
  if (wrong.length > 0 || strangers.length > 0) {
    const table = rows.map(
      (row) => `  ${row.id}: received ${row.count}, answered ${row.answered}, expected ${expected}`,
    );
    const extra = strangers.length > 0 ? `\n  answers from unknown backends: ${strangers.join(', ')}` : '';
    fail(`expected each backend to receive exactly ${expected} requests:\n${table.join('\n')}${extra}`);
  }
}

/**
 * Requests held one after another, each placed on the backend with the fewest in flight per unit of
 * weight, end exactly in proportion to the weights whenever their number is a multiple of the total
 * weight, however ties are broken, and also where the request being placed is counted in (HAProxy).
 */
export function expectHeldInProportion(held: readonly string[], weights: ReadonlyMap<string, number>): void {
  const total = [...weights.values()].reduce((sum, weight) => sum + weight, 0);
  if (total === 0 || held.length % total !== 0) {
    throw new Error(
      `hold a multiple of the total weight (${total}) to check proportions; ${held.length} are held`,
    );
  }
  const cycles = held.length / total;
  const rows = [...weights].map(([id, weight]) => ({
    id,
    held: held.filter((heldOn) => heldOn === id).length,
    expected: weight * cycles,
  }));
  if (rows.some((row) => row.held !== row.expected)) {
    const table = rows.map(
      (row) => `  ${row.id}: ${row.held} held, expected ${row.expected} (weight ${weights.get(row.id)})`,
    );
    fail(`expected the ${held.length} held requests in proportion to the weights:\n${table.join('\n')}`);
  }
}

/**
 * Backend `id` was taken out of rotation and put back: some run of at least `minimum` answers from
 * other backends is followed by an answer from `id`. In rotation over a pool of n backends, `id`
 * answers at least once in every n, so a longer run means it was out.
 */
export function expectOutThenBack(
  sequence: readonly (string | undefined)[],
  id: string,
  minimum: number,
): void {
  let run = 0;
  let longest = 0;
  for (const answeredBy of sequence) {
    if (answeredBy === id) {
      longest = Math.max(longest, run);
      run = 0;
    } else run++;
  }
  if (longest < minimum) {
    fail(
      `expected ${id} out of rotation for at least ${minimum} requests in a row and then back; of ${sequence.length} requests, the longest run without ${id} that it came back after was ${longest} (${run} at the end)`,
    );
  }
}

/**
 * The answering backends follow `order` cyclically: each one is the successor in config order of
 * the one before. Any starting point is accepted (products differ: nginx starts at the first server,
 * Caddy at the second).
 */
export function expectRotation(sequence: readonly (string | undefined)[], order: readonly string[]): void {
  for (let i = 1; i < sequence.length; i++) {
    const previous = order.indexOf(sequence[i - 1] as string);
    const expected = order[(previous + 1) % order.length];
    if (previous < 0 || sequence[i] !== expected) {
      fail(
        `expected rotation in config order ${order.join(' -> ')} (from any start), but request ${i} went to ${sequence[i] ?? '(no backend)'} after ${sequence[i - 1] ?? '(no backend)'}, where ${previous < 0 ? 'a configured backend' : expected} was due.\nsequence: ${sequence.map((id) => id ?? '-').join(' ')}`,
      );
    }
  }
}

/**
 * No request was silently lost: each one either failed visibly (a transport error or a 5xx) or was
 * answered by one of `running`. A 2xx without a running backend behind it is the defect.
 */
export function expectFailuresVisible(exchanges: readonly Exchange[], running: ReadonlySet<string>): void {
  const silent = exchanges.filter((exchange) => {
    if (exchange.error !== undefined) return exchange.status !== undefined && exchange.status < 500;
    if (exchange.status !== undefined && exchange.status >= 500) return false;
    return exchange.backendId === undefined || !running.has(exchange.backendId);
  });
  if (silent.length > 0) {
    fail(
      `expected every request to be answered by a running backend (${[...running].join(', ')}) or to fail visibly (error or 5xx), but ${silent.length} were neither:\n${listSome(silent.map(describeExchange))}`,
    );
  }
}

/** Each of `ids` received at least `minimum` (per the backends' own counts). */
export function expectAtLeast(
  received: ReadonlyMap<string, number>,
  ids: readonly string[],
  minimum: number,
): void {
  const short = ids.filter((id) => (received.get(id) ?? 0) < minimum);
  if (short.length > 0) {
    const table = ids.map((id) => `  ${id}: received ${received.get(id) ?? 0}, expected at least ${minimum}`);
    fail(`expected each of ${ids.join(', ')} to receive at least ${minimum} requests:\n${table.join('\n')}`);
  }
}

/**
 * Every run of W = sum(weights) consecutive answers holds exactly `weight` answers from each
 * backend. For a schedule that repeats every W picks this holds from any starting point, so it
 * does not matter where in its cycle the balancer was when the scenario began.
 */
export function expectWindowsInProportion(
  sequence: readonly (string | undefined)[],
  weights: ReadonlyMap<string, number>,
): void {
  const total = [...weights.values()].reduce((sum, weight) => sum + weight, 0);
  if (sequence.length < total)
    fail(`need at least ${total} answers to check proportions, got ${sequence.length}`);
  for (let start = 0; start + total <= sequence.length; start++) {
    const window = sequence.slice(start, start + total);
    const wrong = [...weights].filter(
      ([id, weight]) => window.filter((seen) => seen === id).length !== weight,
    );
    if (wrong.length > 0) {
      const counts = [...weights].map(
        ([id, weight]) => `${id} ${window.filter((s) => s === id).length} (weight ${weight})`,
      );
      fail(
        `expected every ${total} consecutive requests to hold each backend exactly its weight, but requests ${start}..${start + total - 1} held ${counts.join(', ')}\nsequence: ${sequence.map((id) => id ?? '-').join(' ')}`,
      );
    }
  }
}

/**
 * The largest gap, over every run of consecutive answers and every backend, between how many it
 * got and its ideal share (run length x weight / total). A smooth schedule keeps this near 1; one
 * that sends `weight` requests in a row to each backend reaches about the largest weight / 2.
 */
export function largestDeviation(
  sequence: readonly (string | undefined)[],
  weights: ReadonlyMap<string, number>,
): { deviation: number; id: string; start: number; length: number } {
  const total = [...weights.values()].reduce((sum, weight) => sum + weight, 0);
  let worst = { deviation: 0, id: '', start: 0, length: 0 };
  for (const [id, weight] of weights) {
    for (let start = 0; start < sequence.length; start++) {
      let seen = 0;
      for (let end = start; end < sequence.length; end++) {
        if (sequence[end] === id) seen++;
        const length = end - start + 1;
        const deviation = Math.abs(seen - (length * weight) / total);
        if (deviation > worst.deviation) worst = { deviation, id, start, length };
      }
    }
  }
  return worst;
}

export function expectSmooth(
  sequence: readonly (string | undefined)[],
  weights: ReadonlyMap<string, number>,
  bound: number,
): void {
  const worst = largestDeviation(sequence, weights);
  if (worst.deviation > bound) {
    fail(
      `expected no backend to stray more than ${bound} requests from its ideal share over any run of consecutive requests, but ${worst.id} strayed ${worst.deviation.toFixed(2)} over the ${worst.length} requests from request ${worst.start}\nsequence: ${sequence.map((id) => id ?? '-').join(' ')}`,
    );
  }
}

/** Exactly `count` exchanges failed: an error status (4xx, 5xx) or no answer. */
export function expectFailureCount(exchanges: readonly Exchange[], count: number): void {
  const failed = exchanges.filter(
    (exchange) => exchange.error !== undefined || (exchange.status ?? 0) >= 400,
  );
  if (failed.length !== count) {
    fail(
      `expected exactly ${count} of ${exchanges.length} requests to fail, ${failed.length} did:\n${listSome(failed.map(describeExchange))}`,
    );
  }
}

/** Exactly `count` exchanges were answered with `status`. */
export function expectStatusCount(exchanges: readonly Exchange[], status: number, count: number): void {
  const matching = exchanges.filter((exchange) => exchange.status === status).length;
  if (matching !== count) {
    const seen = new Map<string, number>();
    for (const exchange of exchanges) {
      const outcome = exchange.status !== undefined ? `HTTP ${exchange.status}` : `error ${exchange.error}`;
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    }
    fail(
      `expected exactly ${count} of ${exchanges.length} requests answered with status ${status}, got ${matching}; outcomes: ${[...seen].map(([outcome, n]) => `${outcome} x${n}`).join(', ')}`,
    );
  }
}

/** Every exchange took between `minimumMs` (less timer rounding) and `maximumMs`. */
export function expectDurationsWithin(
  exchanges: readonly Exchange[],
  minimumMs: number,
  maximumMs: number,
): void {
  const outside = exchanges.filter(
    (exchange) => exchange.durationMs < minimumMs - 5 || exchange.durationMs > maximumMs,
  );
  if (outside.length > 0) {
    fail(
      `expected every answer between ${minimumMs} and ${maximumMs.toFixed(0)} ms after its request, but:\n${listSome(outside.map((e) => `${describeExchange(e)} after ${e.durationMs.toFixed(0)} ms`))}`,
    );
  }
}

/**
 * Every exchange was refused by the balancer itself with `status`, within `withinMs`, with a
 * Retry-After of whole seconds (at least 1) or an HTTP date, and a body that says something.
 */
export function expectRefusals(exchanges: readonly Exchange[], status: number, withinMs: number): void {
  if (exchanges.length === 0) fail('expected requests to check, but none were sent');
  const wrong = exchanges.filter(
    (exchange) =>
      exchange.status !== status ||
      exchange.backendId !== undefined ||
      exchange.durationMs > withinMs ||
      !validRetryAfter(exchange.retryAfter) ||
      (exchange.body ?? '').trim() === '',
  );
  if (wrong.length > 0) {
    fail(
      `expected every request answered at once (within ${withinMs} ms) by the balancer with status ${status}, a Retry-After of at least 1 second and a non-empty body, but ${wrong.length} were not:\n${listSome(wrong.map((e) => `${describeExchange(e)}, Retry-After ${e.retryAfter ?? '(none)'}, after ${e.durationMs.toFixed(0)} ms`))}`,
    );
  }
}

// RFC 9110 10.2.3: delay-seconds or an HTTP-date.
function validRetryAfter(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (/^\d+$/.test(value)) return Number(value) >= 1;
  return !Number.isNaN(Date.parse(value));
}
