import type { KeyFlood, LimitedAnswer, LimitedRun } from '../../harness/clients/limits.ts';
import type { MemoryGrowth } from '../../harness/processes/memory.ts';
import { topicState } from './topic-state.ts';

/** What rate-limited clients sent and got in one scenario, for the rate-limit steps of every file. */
export const limited = topicState(() => ({
  /** Runs of requests from rate-limited clients, in order. */
  runs: [] as LimitedRun[],
  /** Statuses of the WebSocket upgrades a client asked for, in order. */
  upgradeStatuses: [] as number[],
  /** The last flood of requests with keys of their own, and how the balancer's memory grew meanwhile. */
  keyFlood: undefined as { readonly flood: KeyFlood; readonly memory: MemoryGrowth } | undefined,
  /** Requests sent after a run to see a token come back, by run (a failure's diagnosis reads them). */
  refillPolls: new Map<LimitedRun, readonly LimitedAnswer[]>(),
}));

/** A step's "Name: value" header as the one header of a run; none when there is none. */
export function headersOf(header: string | undefined): [string, string][] {
  const colon = header?.indexOf(':') ?? -1;
  return header && colon > 0 ? [[header.slice(0, colon).trim(), header.slice(colon + 1).trim()]] : [];
}
