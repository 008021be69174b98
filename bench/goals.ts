import type { TargetSummary } from './summary.ts';

/**
 * The goals the reference is held to on an HTTP scenario, each a ratio of one of its figures to a
 * product's in the same run: at least nginx's requests per second and within 10% of HAProxy's, a
 * p99 no worse than nginx's, and CPU per request within 1.3 times nginx's.
 */
export interface Goal {
  readonly what: string;
  readonly against: string;
  /** The reference's figure over the product's. */
  readonly ratio: (reference: TargetSummary, product: TargetSummary) => number | undefined;
  /** The ratio the goal asks for: at least it (a rate) or at most it (a latency, a cost). */
  readonly atLeast?: number;
  readonly atMost?: number;
}

/** Whether `ratio` meets `goal`. */
export function meets(goal: Goal, ratio: number): boolean {
  return (
    (goal.atLeast === undefined || ratio >= goal.atLeast) &&
    (goal.atMost === undefined || ratio <= goal.atMost)
  );
}

/** The goal as the summary line states it, e.g. ">= 1.00x". */
export function bound(goal: Goal): string {
  return goal.atLeast !== undefined ? `>= ${goal.atLeast.toFixed(2)}x` : `<= ${goal.atMost?.toFixed(2)}x`;
}

const throughput = (reference: TargetSummary, product: TargetSummary) =>
  product.requestsPerSecond > 0 ? reference.requestsPerSecond / product.requestsPerSecond : undefined;

export const goals: readonly Goal[] = [
  { what: 'req/s', against: 'nginx', ratio: throughput, atLeast: 1 },
  { what: 'req/s', against: 'haproxy', ratio: throughput, atLeast: 0.9 },
  {
    what: 'p99',
    against: 'nginx',
    ratio: (reference, product) => {
      const base = product.latencyMs['99'];
      return base ? (reference.latencyMs['99'] ?? 0) / base : undefined;
    },
    atMost: 1,
  },
  {
    what: 'CPU per request',
    against: 'nginx',
    ratio: (reference, product) =>
      reference.cpuMsPer1000Requests !== undefined && product.cpuMsPer1000Requests
        ? reference.cpuMsPer1000Requests / product.cpuMsPer1000Requests
        : undefined,
    atMost: 1.3,
  },
];

/** Each goal the scenario's targets let it check: its ratio and whether the reference met it. */
export function checkGoals(
  summaries: readonly TargetSummary[],
): { readonly goal: Goal; readonly ratio: number; readonly met: boolean }[] {
  const reference = summaries.find((summary) => summary.target === 'reference');
  if (!reference) return [];
  return goals.flatMap((goal) => {
    const product = summaries.find((summary) => summary.target === goal.against);
    const ratio = product && goal.ratio(reference, product);
    return ratio === undefined ? [] : [{ goal, ratio, met: meets(goal, ratio) }];
  });
}

/** One line: every goal checked, e.g. "req/s vs nginx 0.80x (goal >= 1.00x): missed; ...". */
export function goalsLine(summaries: readonly TargetSummary[]): string {
  return checkGoals(summaries)
    .map(
      ({ goal, ratio, met }) =>
        `${goal.what} vs ${goal.against} ${ratio.toFixed(2)}x (goal ${bound(goal)}): ${met ? 'met' : 'missed'}`,
    )
    .join('; ');
}
