import type { Capability } from '../spec/capabilities.ts';

/** A backend of a workload: how long it takes to answer, and the weight the config gives it. */
export interface WorkloadBackend {
  readonly id: string;
  readonly latencyMs: number;
  readonly weight: number;
}

/** A share of the requests that take a given time at the backend (the client asks for it). */
export interface RequestDuration {
  readonly ms: number;
  readonly share: number;
}

/**
 * What happens to the pool while the traffic flows: nothing; a backend joining after a third of
 * the requests and the first one leaving after two thirds (with the keys that moved counted at
 * each change); or a backend out of rotation coming back while the others are busy, and a burst.
 */
export type WorkloadEvent = 'none' | 'membership' | 'recovery';

export interface Workload {
  readonly id: string;
  readonly title: string;
  /** What it models, for the report. */
  readonly about: string;
  readonly backends: readonly WorkloadBackend[];
  /** Per-request service times; absent: each backend's own latency. */
  readonly durations?: readonly RequestDuration[];
  readonly event: WorkloadEvent;
  /** What a balancer must declare besides the algorithm to run it. */
  readonly needs: readonly Capability[];
}

/** How much traffic each cell (workload x algorithm) sends. */
export interface Scale {
  readonly requests: number;
  readonly concurrency: number;
  /** Distinct keys the requests carry (uniformly drawn). */
  readonly keys: number;
  /** Keys probed before and after a membership change to count the ones that moved. */
  readonly probeKeys: number;
  /** Requests sent at once when a backend comes back (the recovery workload). */
  readonly burst: number;
}

export const quickScale: Scale = { requests: 240, concurrency: 12, keys: 500, probeKeys: 100, burst: 48 };
export const fullScale: Scale = {
  requests: 3_000,
  concurrency: 24,
  keys: 5_000,
  probeKeys: 1_000,
  burst: 240,
};

const backends = (...latencies: readonly (readonly [number, number])[]): WorkloadBackend[] =>
  latencies.map(([latencyMs, weight], i) => ({ id: `b${i + 1}`, latencyMs, weight }));

export const workloads: readonly Workload[] = [
  {
    id: 'equal',
    title: 'Equal backends',
    about: 'Four backends that each answer in 10 ms, equal weights.',
    backends: backends([10, 1], [10, 1], [10, 1], [10, 1]),
    event: 'none',
    needs: [],
  },
  {
    id: 'one-slow',
    title: 'One slow backend',
    about:
      'Three backends answer in 10 ms, the fourth in 80 ms; equal weights (the slowness is not configured).',
    backends: backends([10, 1], [10, 1], [10, 1], [80, 1]),
    event: 'none',
    needs: [],
  },
  {
    id: 'heterogeneous',
    title: 'Heterogeneous capacities',
    about:
      'Service times of 5, 10, 20 and 40 ms, and weights 8, 4, 2 and 1 in proportion to what each can serve.',
    backends: backends([5, 8], [10, 4], [20, 2], [40, 1]),
    event: 'none',
    needs: [],
  },
  {
    id: 'variable-durations',
    title: 'Variable request durations',
    about:
      'Equal backends; 90% of requests take 2 ms, 9% take 20 ms and 1% take 200 ms, whichever backend serves them.',
    backends: backends([0, 1], [0, 1], [0, 1], [0, 1]),
    durations: [
      { ms: 2, share: 0.9 },
      { ms: 20, share: 0.09 },
      { ms: 200, share: 0.01 },
    ],
    event: 'none',
    needs: [],
  },
  {
    id: 'membership',
    title: 'A backend joins, one leaves',
    about:
      'Four equal backends (10 ms); after a third of the requests a fifth joins, after two thirds the first leaves, each by a reload. Keys moved: the share of probed keys answered by another backend after the change than before it.',
    backends: backends([10, 1], [10, 1], [10, 1], [10, 1], [10, 1]),
    event: 'membership',
    needs: ['runtime-membership'],
  },
  {
    id: 'recovery',
    title: 'A burst after a recovery',
    about:
      'Four equal backends (20 ms) with health checks; the fourth fails its checks and leaves the rotation, the others take long requests, then it passes again and a burst arrives at once. The most requests in flight on the recovered backend shows a thundering herd.',
    backends: backends([20, 1], [20, 1], [20, 1], [20, 1]),
    event: 'recovery',
    needs: ['active-health-checks', 'health-check-thresholds'],
  },
];

/** The duration a draw `u` in [0, 1) picks from `durations` (shares summing to 1). */
export function durationFor(durations: readonly RequestDuration[], u: number): number {
  let cumulative = 0;
  for (const { ms, share } of durations) {
    cumulative += share;
    if (u < cumulative) return ms;
  }
  return (durations[durations.length - 1] as RequestDuration).ms;
}
