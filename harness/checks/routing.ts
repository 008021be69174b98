import { type Exchange, exchangeUntil, type SequentialClient } from '../clients/traffic.ts';
import { ExpectationError } from './expectations.ts';

/** What every request of a settled window must look like: answered by one of `ids`, or refused with `status`. */
export type RoutingGoal =
  | { readonly kind: 'backends'; readonly ids: ReadonlySet<string> }
  | { readonly kind: 'status'; readonly status: number };

function describeGoal(goal: RoutingGoal): string {
  return goal.kind === 'backends'
    ? `only ${[...goal.ids].join(', ')}, each of them, and every request succeeding`
    : `every request answered with status ${goal.status} by the balancer itself`;
}

function meetsGoal(exchange: Exchange, goal: RoutingGoal): boolean {
  if (goal.kind === 'status') return exchange.status === goal.status && exchange.backendId === undefined;
  return (
    exchange.error === undefined &&
    exchange.backendId !== undefined &&
    goal.ids.has(exchange.backendId) &&
    (exchange.status === undefined || (exchange.status >= 200 && exchange.status < 300))
  );
}

/** Requests in the window that must all meet the goal: three rounds over the target backends, at least 6. */
export function settledWindow(goal: RoutingGoal): number {
  return goal.kind === 'backends' ? Math.max(6, 3 * goal.ids.size) : 6;
}

/**
 * Where the trailing window of `window` exchanges that all meet `goal` (and, for backends, reach
 * every one of them) begins; undefined while the traffic has not settled.
 */
export function settledAt(
  exchanges: readonly Exchange[],
  goal: RoutingGoal,
  window: number,
): number | undefined {
  if (exchanges.length < window) return undefined;
  const start = exchanges.length - window;
  const tail = exchanges.slice(start);
  if (!tail.every((exchange) => meetsGoal(exchange, goal))) return undefined;
  if (goal.kind === 'backends') {
    const reached = new Set(tail.map((exchange) => exchange.backendId));
    if ([...goal.ids].some((id) => !reached.has(id))) return undefined;
  }
  return start;
}

/**
 * Sends requests one after another until the traffic settles on `goal`, or `giveUpAfterMs` passes.
 * Returns every exchange sent and where the settled window begins.
 */
export async function sendUntilSettled(
  client: SequentialClient,
  goal: RoutingGoal,
  giveUpAfterMs: number,
  /** Told of each exchange as it ends, so a caller keeps them even when the wait runs out. */
  onExchange: (exchange: Exchange) => void = () => {},
): Promise<{ exchanges: Exchange[]; settledIndex: number }> {
  const window = settledWindow(goal);
  let settledIndex: number | undefined;
  const exchanges = await exchangeUntil(
    client,
    (sent) => {
      onExchange(sent.at(-1) as Exchange);
      settledIndex = settledAt(sent, goal, window);
      return settledIndex !== undefined;
    },
    giveUpAfterMs,
    (sent) => {
      const recent = sent.slice(-window).map((e) => e.backendId ?? e.error ?? `HTTP ${e.status}`);
      return new ExpectationError(
        `expected the traffic to settle on ${describeGoal(goal)} within ${giveUpAfterMs} ms; after ${sent.length} requests the last ${window} went to: ${recent.join(', ')}`,
      );
    },
  );
  return { exchanges, settledIndex: settledIndex as number };
}

/** When a change was made: just before it was asked for, and once it was acknowledged. */
export interface ChangeMark {
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly what: string;
}

/** How long after `mark` the traffic settled must be at most `boundMs`. */
export function expectSettledWithin(
  settledExchange: Exchange,
  mark: ChangeMark,
  boundMs: number,
  explanation: string,
): void {
  const elapsed = settledExchange.sentAtMs - mark.afterMs;
  if (elapsed > boundMs) {
    throw new ExpectationError(
      `expected the traffic to settle within ${boundMs.toFixed(0)} ms (${explanation}) after ${mark.what}, but it took ${elapsed.toFixed(0)} ms`,
    );
  }
}

/** Timers may fire this much early by rounding; a lower bound forgives it. */
const timerRoundingMs = 5;

/**
 * No exchange after `mark` may have reached one of `newcomers` sooner than `minimumMs` after it
 * (a request completed before the bound must have arrived before it too).
 */
export function expectNotSooner(
  exchanges: readonly Exchange[],
  newcomers: ReadonlySet<string>,
  mark: ChangeMark,
  minimumMs: number,
  explanation: string,
): void {
  const early = exchanges.find(
    (exchange) =>
      exchange.backendId !== undefined &&
      newcomers.has(exchange.backendId) &&
      exchange.sentAtMs + exchange.durationMs - mark.beforeMs < minimumMs - timerRoundingMs,
  );
  if (early) {
    const at = early.sentAtMs + early.durationMs - mark.beforeMs;
    throw new ExpectationError(
      `expected no request on ${[...newcomers].join(', ')} sooner than ${minimumMs} ms (${explanation}) after ${mark.what}, but ${early.backendId} answered one ${at.toFixed(0)} ms after it`,
    );
  }
}
