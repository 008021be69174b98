/** Changes a scenario makes to a running balancer's pool or routes, and when each went live. */
import { wallClockMs } from '../../harness/clients/traffic.ts';
import type { ConfigChange, LiveChange } from '../../harness/mistakes/measurements.ts';
import type { ConfigDocument, PoolDocument } from '../../harness/spec/config-document.ts';
import { withPoolMembers } from '../../harness/spec/scenario-configs.ts';
import { measuredBy } from './diagnosis.ts';
import { topicState } from './topic-state.ts';
import type { LbWorld } from './world.ts';

const membership = topicState(() => ({
  /** When each change the scenario made went live, by its label ("b4 joined", "routes 2"). */
  liveAt: new Map<string, number>(),
  /** How many times the scenario has changed the routes. */
  routeChanges: 0,
  /** Each change, in order, as the diagnosis reads it. */
  changes: [] as LiveChange[],
}));

measuredBy((world) => {
  const { changes } = membership(world);
  return changes.length === 0 ? {} : { changes };
});

/**
 * Serves `config` from now on and notes, under `label`, when it went live; continuous clients then
 * send a few requests under it before the next change. Backend counts go on (traffic may be running).
 */
export async function changeLive(
  world: LbWorld,
  label: string,
  config: ConfigDocument,
  change: ConfigChange,
): Promise<void> {
  const requestedAtMs = wallClockMs();
  await world.balancer.reload(config, world.traffic.continuous ? 'reload-under-traffic' : 'reload');
  const liveAtMs = wallClockMs();
  membership(world).liveAt.set(label, liveAtMs);
  membership(world).changes.push({ ...change, requestedAtMs, liveAtMs });
  await world.traffic.continueAfter(label);
}

/** What can become of a pool member. */
export type MemberChange = Extract<ConfigChange, { backend: string }>['what'];

/** Applies `change` to the main pool's members and notes, as "<backend> <what>", when it went live. */
export function changePoolMembers(
  world: LbWorld,
  backend: string,
  what: MemberChange,
  change: (backends: PoolDocument['backends']) => PoolDocument['backends'],
): Promise<void> {
  return changeLive(world, `${backend} ${what}`, withPoolMembers(world.config, change), { what, backend });
}

/** The label of the routes' next change ("routes 1", "routes 2", ...), counting it. */
export function nextRoutesLabel(world: LbWorld): string {
  return `routes ${++membership(world).routeChanges}`;
}

/** The label of the routes' last change. */
export function routesLabel(world: LbWorld): string {
  return `routes ${membership(world).routeChanges}`;
}

/** When the change labelled `label` went live; throws when the scenario made none. */
export function liveAt(world: LbWorld, label: string): number {
  const at = membership(world).liveAt.get(label);
  if (at === undefined) throw new Error(`the scenario made no change "${label}"`);
  return at;
}
