/** Requests kept in flight on purpose, and waiting for the backends' in-flight counts. */
import { type Held, holdOpen } from '../../harness/clients/traffic.ts';
import { timeouts } from '../../harness/timing/timeouts.ts';
import { pollUntil } from '../../harness/timing/waiting.ts';
import { measuredBy } from './diagnosis.ts';
import { topicState } from './topic-state.ts';
import type { LbWorld } from './world.ts';

// The backend each held exchange landed on, one entry per exchange.
const held = topicState(() => ({ backendIds: undefined as readonly string[] | undefined }));

measuredBy((world) => {
  const { backendIds } = held(world);
  return backendIds ? { held: backendIds } : {};
});

/**
 * Keeps `count` exchanges in flight (each placed before the next, released when the scenario ends)
 * and notes where they landed; backend counts start from zero afterwards.
 */
export async function holdRequests(world: LbWorld, count: number, holdMs: number): Promise<void> {
  const handles: Held[] = [];
  world.onDispose(() => {
    for (const handle of handles) handle.release();
  });
  for (let placed = 1; placed <= count; placed++) {
    handles.push(...holdOpen(world.listenerAddress, world.protocol, 1, holdMs));
    await awaitInFlight(world, (total) => total === placed, `${placed} held requests to reach the backends`);
  }
  const backendIds: string[] = [];
  for (const id of world.backends.keys()) {
    for (let i = await world.backends.inFlight(id); i > 0; i--) backendIds.push(id);
  }
  held(world).backendIds = backendIds;
  // The held requests were counted as received; what follows is counted from zero.
  await world.backends.resetStats();
}

/** The backend each held request is on (a backend once per request); throws when none was held. */
export function heldBackendIds(world: LbWorld): readonly string[] {
  const { backendIds } = held(world);
  if (!backendIds || backendIds.length === 0) throw new Error('no request was held open in this scenario');
  return backendIds;
}

/** Waits until nothing is in flight, then zeroes backend counts and forgets earlier traffic. */
export async function settleAndResetCounts(world: LbWorld): Promise<void> {
  await awaitInFlight(world, (total) => total === 0, 'every request to finish');
  await world.backends.resetStats();
  world.traffic.forget();
}

/** Waits until the backends' in-flight counts add up to what `done` takes (within a request's time). */
export async function awaitInFlight(
  world: LbWorld,
  done: (total: number) => boolean,
  what: string,
): Promise<void> {
  const ids = [...world.backends.keys()];
  await pollUntil(
    async () => {
      const counts = await Promise.all(ids.map((id) => world.backends.inFlight(id)));
      if (done(counts.reduce((sum, count) => sum + count, 0))) return true;
      throw new Error(`in flight: ${counts.join(', ')}`);
    },
    { what, timeoutMs: timeouts.requestMs },
  );
}
