// The client limits of the scenario's first listener, for the steps that time or size against them.
import type { LbWorld } from './world.ts';

/** The first listener's "limits"; throws when it has none. */
export function clientLimits(world: LbWorld) {
  const limits = world.balancer.config?.listeners[0]?.limits;
  if (!limits) throw new Error('the balancer has no client limits');
  return limits;
}
