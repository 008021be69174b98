/** Changes a scenario makes to a running balancer's pool or routes, and when each went live. */
import { wallClockMs } from '../../harness/clients/traffic.ts';
import type { ConfigDocument, PoolDocument } from '../../harness/spec/config-document.ts';
import { withPoolMembers } from '../../harness/spec/scenario-configs.ts';
import { topicState } from './topic-state.ts';
import type { LbWorld } from './world.ts';

const membership = topicState(() => ({
  /** When each change the scenario made went live, by its label ("b4 joined", "routes 2"). */
  liveAt: new Map<string, number>(),
  /** How many times the scenario has changed the routes. */
  routeChanges: 0,
}));

/**
 * Serves `config` from now on and notes, under `label`, when it went live; continuous clients then
 * send a few requests under it before the next change. Backend counts go on (traffic may be running).
 */
export async function changeLive(world: LbWorld, label: string, config: ConfigDocument): Promise<void> {
  await world.balancer.reload(config, world.traffic.continuous ? 'reload-under-traffic' : 'reload');
  membership(world).liveAt.set(label, wallClockMs());
  await world.traffic.continueAfter(label);
}

/** Applies `change` to the main pool's members and notes, under `label`, when it went live. */
export function changePoolMembers(
  world: LbWorld,
  label: string,
  change: (backends: PoolDocument['backends']) => PoolDocument['backends'],
): Promise<void> {
  return changeLive(world, label, withPoolMembers(world.config, change));
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
