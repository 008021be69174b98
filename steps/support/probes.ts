/** Requests a scenario sent to see how the balancer takes them, kept for the diagnosis of a failure. */
import type { Probe } from '../../harness/mistakes/measurements.ts';
import { measuredBy } from './diagnosis.ts';
import { topicState } from './topic-state.ts';
import type { LbWorld } from './world.ts';

const probes = topicState(() => [] as Probe[]);

measuredBy((world) => {
  const made = probes(world);
  return made.length === 0 ? {} : { probes: made };
});

/** The most of a probe's bytes kept: enough for its request line and headers. */
const keptBytes = 400;

/** Records a probe; `sent` is cut to its first bytes, its length kept. */
export function recordProbe(world: LbWorld, probe: Omit<Probe, 'bytes'> & { readonly bytes?: number }): void {
  probes(world).push({
    ...probe,
    sent: probe.sent.slice(0, keptBytes),
    bytes: probe.bytes ?? probe.sent.length,
  });
}
