// What a failed scenario measured, as plain data the mistake signatures read, and the shapes they
// look for in it: the order backends were visited in, their shares, how long each took.
import type { HealthAnswer, UnansweredCheck } from '../backends/provider.ts';
import type { PinnedClient, PinnedRequest } from '../clients/fleet-affinity.ts';
import type { LimitedAnswer, LimitedRun } from '../clients/limits.ts';
import type { StickyAnswer } from '../clients/sticky.ts';
import type { Exchange } from '../clients/traffic.ts';

/** One request or connection as the client saw it: the parts of the traffic log signatures read. */
export type MeasuredExchange = Pick<
  Exchange,
  'client' | 'seq' | 'sentAtMs' | 'durationMs' | 'backendId' | 'status' | 'error'
>;

/** A failed scenario's measurements. */
export interface Measurements {
  /** The scenario's stable id. */
  readonly scenario: string;
  /** The balanced pool's backends, in config order, with their weights (default 1). */
  readonly backends: readonly { readonly id: string; readonly weight: number }[];
  readonly exchanges: readonly MeasuredExchange[];
  /** The pool's retry policy: attempts after the first (0: none), and whether POST and the like may be. */
  readonly retries?: { readonly attempts: number; readonly nonIdempotent: boolean };
  /** The first route's split, when its listener has one: each pool's weight and its backends' ids. */
  readonly split?: readonly {
    readonly pool: string;
    readonly weight: number;
    readonly backends: readonly string[];
  }[];
  /** What each backend counted arriving since its counts were last reset, when it could be asked. */
  readonly received?: Readonly<Record<string, number>>;
  /** The last request written header by header: what the client sent, and what the backend received. */
  readonly handWritten?: {
    readonly sent: readonly (readonly [string, string])[];
    /** The headers the backend echoed (lower-case names), when it answered with its echo. */
    readonly received?: Readonly<Record<string, string | readonly string[]>>;
  };
  /** Request targets as a backend should have received them and as it did (its echo). */
  readonly receivedTargets?: readonly {
    /** The target as the client sent it, when it differs from what the backend should receive. */
    readonly sent?: string;
    readonly expected: string;
    readonly received: string;
  }[];
  /** Redirects: the status each route asks for, and the one the client got. */
  readonly redirects?: readonly { readonly expected: number; readonly status: number }[];
  /** How the balancer ended, when it exited without being told to. */
  readonly balancerExit?: string;
  /** The backends of the pool's backup pool, when it has one. */
  readonly backupBackends?: readonly string[];
  /** The pool's panic threshold, when it sets one above 0. */
  readonly panicThresholdPercent?: number;
  /** Connections each running backend accepted since its counts were last reset. */
  readonly accepted?: Readonly<Record<string, number>>;
  /** The pool's timeouts (defaults filled in). */
  readonly timeouts?: { readonly connectMs: number; readonly responseMs: number };
  /** The pool's consistent hash, when it balances by one: its lookup, and whether loads are bounded. */
  readonly hash?: { readonly method: 'ring' | 'maglev'; readonly bounded: boolean };
  /** Rounds of the same keys sent to a consistent hash, in order, each with where every key landed. */
  readonly keyRounds?: readonly KeyRound[];
  /** The first listener's rate limit, when it has one (defaults filled in). */
  readonly rateLimit?: {
    readonly key: 'client-ip' | 'global' | 'header';
    readonly header?: string;
    readonly whenMissing?: 'client-ip' | 'reject';
    readonly capacity: number;
    readonly refillPerSecond: number;
    readonly trustedProxies: readonly string[];
    /** Its buckets are in a store a fleet shares. */
    readonly sharedStore?: boolean;
  };
  /** Runs of requests from one client each, in the order they were sent. */
  readonly limitedRuns?: readonly LimitedRunMeasured[];
  /** The statuses of the WebSocket upgrades a client asked for, in order. */
  readonly upgradeStatuses?: readonly number[];
  /** A flood of requests with keys of their own, and how much the balancer's memory grew meanwhile. */
  readonly keyFlood?: { readonly count: number; readonly keyBytes: number; readonly grewBytes: number };
  /** A client that kept its affinity cookie: what each request got, and where the last phase began. */
  /** Clients pinned by cookies from instances of a fleet, and their requests over it. */
  readonly fleetAffinity?: {
    readonly clients: readonly PinnedClient[];
    readonly requests: readonly PinnedRequest[];
  };
  readonly sticky?: {
    readonly answers: readonly StickyAnswer[];
    /** The index of the first answer of the last phase (after the scenario's change). */
    readonly mark: number;
    /** Requests with forged cookies, by kind of forgery. */
    readonly forged?: readonly { readonly label: string; readonly answers: readonly StickyAnswer[] }[];
    /** Each backend's address, by id. */
    readonly backendAddresses: Readonly<Record<string, string>>;
    /** The pool's cookie attributes as configured. */
    readonly config?: {
      readonly path?: string;
      readonly httpOnly?: boolean;
      readonly sameSite?: string;
      readonly maxAgeSeconds?: number;
    };
  };
  /** The first listener's routes, in config order: each one's pool, path prefix and methods. */
  readonly routes?: readonly {
    readonly pool: string;
    readonly prefix?: string;
    readonly methods?: readonly string[];
    /** The request headers it matches by a regex, by name. */
    readonly headerRegexes?: readonly { readonly name: string; readonly regex: string }[];
    /** The request headers it adds (beside any the client sent). */
    readonly addsHeaders?: readonly string[];
    /** Whether it has a rate limit of its own. */
    readonly rateLimited?: boolean;
  }[];
  /**
   * Requests the scenario routed one by one: the backend each should have reached and the one it
   * did (the routing scenarios give each backend a pool of its own, named after it).
   */
  readonly routed?: readonly {
    readonly method: string;
    readonly target: string;
    /** The header it was sent with for routing ("Name: value"), if any. */
    readonly header?: string;
    readonly expected: string;
    readonly reached: string;
  }[];
  /** Where each request the scenario held open landed, one entry per request, when it held some. */
  readonly held?: readonly string[];
  /** The pool's outlier detection, when it has one (defaults filled in). */
  readonly outlier?: {
    readonly consecutiveFailures: number;
    readonly baseEjectionMs: number;
    readonly maxEjectionMs: number;
    readonly maxEjectionPercent: number;
  };
  /** Per retry number, the waits before it (one request's arrival minus its previous one) and the cap. */
  readonly retryWaits?: readonly {
    readonly retry: number;
    readonly capMs: number;
    readonly waitsMs: readonly number[];
  }[];
  /** The pool's circuit breaker, when it has one. */
  readonly breaker?: {
    readonly consecutiveFailures: number;
    readonly openMs: number;
    readonly maxOpenMs: number;
    readonly halfOpenRequests: number;
    readonly failureRatePercent?: number;
    readonly minimumRequests: number;
    readonly maxConcurrentRequests?: number;
  };
  /** The pool's active health checks over HTTP, when it has them. */
  readonly healthPolicy?: {
    readonly intervalMs: number;
    readonly timeoutMs: number;
    readonly unhealthyThreshold: number;
    readonly healthyThreshold: number;
    readonly expectedStatuses: readonly number[];
    readonly initiallyHealthy: boolean;
  };
  /** The backends the scenario last saw in rotation (where its health answers begin). */
  readonly inRotation?: readonly string[];
  /** How long the health answers were gathered: since the balancer came up or counts were reset. */
  readonly healthObservedMs?: number;
  /** The health checks each running backend answered since its counts were last reset, in order. */
  readonly healthAnswers?: Readonly<Record<string, readonly HealthAnswer[]>>;
  /** When requests reached each running backend since its counts were last reset, on its own clock (as its health answers). */
  readonly healthArrivals?: Readonly<Record<string, readonly number[]>>;
  /** The health checks each running backend had not answered when the balancer gave up on them, or has not yet. */
  readonly healthUnanswered?: Readonly<Record<string, readonly UnansweredCheck[]>>;
  /** Requests the scenario sent to see how the balancer takes them, one by one, and how each ended. */
  readonly probes?: readonly Probe[];
  /** Byte streams the balancer relayed (TCP, and WebSocket after an upgrade), and how they went. */
  readonly relay?: RelayMeasured;
  /** A second listener's client: the backends it should have reached, those it did, and how that listener's pool checks health. */
  readonly otherListener?: {
    readonly expected: readonly string[];
    readonly reached: Readonly<Record<string, number>>;
    readonly checkType?: 'http' | 'tcp';
  };
  /** A soak (scenario "soak"): how many requests it sent, and what the balancer held more of once quiet than at the start. */
  readonly soak?: {
    readonly requests: number;
    readonly grew: { readonly fileDescriptors: number; readonly handles: number; readonly timers: number };
  };
  /** Changes the scenario made to the running balancer's config, in order. */
  readonly changes?: readonly LiveChange[];
  /** A graceful stop sent while exchanges were in flight, and what came of them and of the balancer. */
  readonly stop?: StopOutcome;
}

/** What a graceful stop did to what was in flight, as far as the scenario got to see. */
export interface StopOutcome {
  /** Exchanges (requests, streams, TCP connections) in flight when the stop was sent. */
  readonly inFlight: number;
  /** Those that did not get their whole answer (undefined until they were judged). */
  readonly cut?: number;
  /** Whether the balancer had exited by the end of the scenario. */
  readonly exited: boolean;
  /** HTTP/2: whether its connection was sent GOAWAY or closed after the answers (undefined: not asked). */
  readonly http2Ended?: boolean;
  /** Whether the listener still took connections when a check after the stop failed (undefined: not asked). */
  readonly acceptingAfterStop?: boolean;
}

/** What a change to the running balancer's config did: a backend joined, drained, reweighted or left, or new routes (and the pools they send to). */
export type ConfigChange =
  | { readonly what: 'joined' | 'drained' | 'reweighted' | 'left'; readonly backend: string }
  | { readonly what: 'routes'; readonly pools: readonly string[] };

/** A change made to the running balancer, when it was asked for and when it went live. */
export type LiveChange = ConfigChange & { readonly requestedAtMs: number; readonly liveAtMs: number };

/** Byte streams the balancer relayed, each part present when the scenario made that kind. */
export interface RelayMeasured {
  /** A TCP client that sent its bytes and then half-closed: how many it sent, how many came back before the end. */
  readonly halfClosed?: { readonly sentBytes: number; readonly echoedBytes: number; readonly ended: boolean };
  /** Whether the backend still held its connection after the client's reset reached the balancer. */
  readonly backendOpenAfterClientReset?: boolean;
  /** How the client's connection ended after its backend reset: closed, reset, or still open. */
  readonly clientAfterBackendReset?: 'closed' | 'reset' | 'still open';
  /** A WebSocket exchange: whether the backend spoke first, whether the upgrade succeeded, the replies that came. */
  readonly webSocket?: {
    readonly greeted: boolean;
    readonly opened: boolean;
    readonly replies: readonly string[];
  };
  /** A large transfer: over HTTP or TCP, its size, whether it arrived intact, how much the balancer's memory grew. */
  readonly transfer?: {
    readonly over: 'http' | 'tcp';
    readonly bytes: number;
    readonly intact: boolean;
    readonly grewBytes?: number;
  };
}

/**
 * One request a scenario sent to see how the balancer takes it (written as bytes, or through a
 * client), what the scenario expected and what came back on its connection.
 */
export interface Probe {
  /** What was sent: the bytes (the first 400) of a hand-written request, else its request line and the headers that matter. */
  readonly sent: string;
  /** How many bytes were sent, body included. */
  readonly bytes: number;
  /** Per answer the scenario expects on the connection, in order, the statuses it may have (none listed: any). */
  readonly expected: readonly (readonly number[])[];
  /** The final statuses that came back, in order (none: no answer). */
  readonly statuses: readonly number[];
  /** The interim (1xx) statuses that came before them. */
  readonly interim?: readonly number[];
  /** Whether the last answer came whole by its own framing, or broken off (the body cut short). */
  readonly answerShape?: 'whole' | 'broken-off';
  /** The shape the scenario expects of the last answer, when it expects one. */
  readonly expectedShape?: 'whole' | 'broken-off';
  /** When the balancer closed the connection, in ms from the probe's start; absent: it stayed open. */
  readonly closedAfterMs?: number;
  /** The longest the scenario allows before the balancer closes the connection, when it expects a close. */
  readonly closeWithinMs?: number;
}

/** Requests sent one after another from one client address, with the same headers, and what each got. */
export type LimitedRunMeasured = Pick<LimitedRun, 'from' | 'headers'> &
  Partial<Pick<LimitedRun, 'path'>> & {
    readonly answers: readonly (Pick<LimitedAnswer, 'status' | 'sentAtMs'> &
      Partial<Pick<LimitedAnswer, 'via'>>)[];
  };

/** One round of keys: the backend each key landed on, and whether the balancer restarted before it. */
export interface KeyRound {
  readonly landed: ReadonlyMap<string, string>;
  readonly afterRestart: boolean;
}

/** What changed from one round of keys to the next. */
export interface KeyRoundChange {
  /** The share of the keys (landed both times) that landed elsewhere. */
  readonly moved: number;
  /** The share of the keys that moved between backends keys landed on both times. */
  readonly movedBetweenStayers: number;
  /** How the set of backends keys landed on changed: by one added, by one gone, or not at all. */
  readonly landingSet: 'same' | 'one-added' | 'one-gone' | 'other';
  readonly afterRestart: boolean;
  /** Whether the earlier round's keys were spread in whole turns: per backend counts within one. */
  readonly earlierInTurns: boolean;
}

/** Each pair of consecutive key rounds, and what changed between them. */
export function keyRoundChanges(measured: Measurements): KeyRoundChange[] {
  const rounds = measured.keyRounds ?? [];
  return rounds.slice(1).map((later, i) => {
    const earlier = rounds[i] as KeyRound;
    const before = new Set(earlier.landed.values());
    const after = new Set(later.landed.values());
    let compared = 0;
    let moved = 0;
    let betweenStayers = 0;
    for (const [key, was] of earlier.landed) {
      const now = later.landed.get(key);
      if (now === undefined) continue;
      compared++;
      if (now === was) continue;
      moved++;
      if (after.has(was) && before.has(now)) betweenStayers++;
    }
    const added = [...after].filter((id) => !before.has(id)).length;
    const gone = [...before].filter((id) => !after.has(id)).length;
    const counts = new Map<string, number>();
    for (const id of earlier.landed.values()) counts.set(id, (counts.get(id) ?? 0) + 1);
    const perBackend = [...counts.values()];
    return {
      moved: compared === 0 ? 0 : moved / compared,
      movedBetweenStayers: compared === 0 ? 0 : betweenStayers / compared,
      landingSet:
        added === 0 && gone === 0
          ? 'same'
          : added === 1 && gone === 0
            ? 'one-added'
            : added === 0 && gone === 1
              ? 'one-gone'
              : 'other',
      afterRestart: later.afterRestart,
      earlierInTurns: perBackend.length >= 2 && Math.max(...perBackend) - Math.min(...perBackend) <= 1,
    };
  });
}

/** Backend ids in the order the requests were sent (by time, then client, then sequence). */
export function visitOrder(measured: Measurements): string[] {
  return [...measured.exchanges]
    .sort((a, b) => a.sentAtMs - b.sentAtMs || a.client - b.client || a.seq - b.seq)
    .flatMap((exchange) => exchange.backendId ?? []);
}

/** Requests answered by each backend of the pool, in config order (0 for one never reached). */
export function sharesOf(measured: Measurements): number[] {
  const counts = new Map<string, number>();
  for (const { backendId } of measured.exchanges)
    if (backendId !== undefined) counts.set(backendId, (counts.get(backendId) ?? 0) + 1);
  return measured.backends.map(({ id }) => counts.get(id) ?? 0);
}

/** The share of each backend that `weights` would give, as fractions summing to 1. */
export function proportions(weights: readonly number[]): number[] {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => (total === 0 ? 0 : weight / total));
}

/** Half the summed absolute difference of two share vectors (0: the same, 1: disjoint). */
export function shareDistance(counts: readonly number[], expected: readonly number[]): number {
  const seen = proportions(counts);
  return seen.reduce((sum, share, i) => sum + Math.abs(share - (expected[i] ?? 0)), 0) / 2;
}

/** The smallest period p (1 <= p <= limit) with order[i] === order[i - p] throughout, if any. */
export function periodOf(order: readonly string[], limit: number): number | undefined {
  for (let period = 1; period <= Math.min(limit, order.length - 1); period++) {
    if (order.every((id, i) => i < period || id === order[i - period])) return period;
  }
  return undefined;
}

/** `order` as runs of one backend in a row: b1 b1 b2 is [{ b1, 2 }, { b2, 1 }]. */
export function runsOf(order: readonly string[]): { readonly id: string; readonly length: number }[] {
  const runs: { id: string; length: number }[] = [];
  for (const id of order) {
    const last = runs[runs.length - 1];
    if (last?.id === id) last.length++;
    else runs.push({ id, length: 1 });
  }
  return runs;
}

/**
 * Whether `counts` (requests per member) are nearer an even split than the one `weights` ask for;
 * false when the weights are all equal, as an even split is then the weighted one.
 */
export function nearerEvenThanWeighted(counts: readonly number[], weights: readonly number[]): boolean {
  if (new Set(weights).size < 2) return false;
  return (
    shareDistance(counts, proportions(weights.map(() => 1))) < shareDistance(counts, proportions(weights))
  );
}

/**
 * Whether `order` cycles through all of `ids`, each once per turn, in some order: the fraction of
 * its whole turns (windows of ids.length from the start) that hold every id once.
 */
export function wholeTurns(order: readonly string[], ids: readonly string[]): number {
  const n = ids.length;
  const turns = Math.floor(order.length / n);
  if (turns === 0) return 0;
  let whole = 0;
  for (let turn = 0; turn < turns; turn++) {
    if (new Set(order.slice(turn * n, turn * n + n)).size === n) whole++;
  }
  return whole / turns;
}

/** The mean time of the exchanges each backend answered, in config order (NaN for none). */
export function meanDurations(measured: Measurements): number[] {
  return measured.backends.map(({ id }) => {
    const times = measured.exchanges.filter((e) => e.backendId === id).map((e) => e.durationMs);
    return times.length === 0 ? Number.NaN : times.reduce((a, b) => a + b, 0) / times.length;
  });
}
