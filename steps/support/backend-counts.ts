// Checks on what the backends counted, around a request that should never have reached them.
import { ExpectationError } from '../../harness/checks/expectations.ts';
import type { LbWorld } from './world.ts';

/** Fails when a backend counted a request since `before`, naming `what` should not have reached one. */
export async function expectCountsUnchanged(
  world: LbWorld,
  before: ReadonlyMap<string, number>,
  what: string,
): Promise<void> {
  const after = await world.backends.receivedCounts();
  const reached = [...after].filter(([id, count]) => count > (before.get(id) ?? 0)).map(([id]) => id);
  if (reached.length > 0)
    throw new ExpectationError(
      `${what} reached backend ${reached.join(', ')}; no backend should have seen it`,
    );
}
