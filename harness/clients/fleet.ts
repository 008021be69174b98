import { Client } from 'undici';
import type { Spread } from './limits.ts';
import { getStatus } from './status-only.ts';
import { requestBudget } from './traffic.ts';

/** Request `index` to instance `index` mod the fleet's size. */
export function roundRobinOver(addresses: readonly string[]): Spread {
  return (index) => addresses[index % addresses.length] as string;
}

/**
 * Most requests to the first instance: every fourth goes to one of the others in turn, as a
 * client behind a skewed DNS answer or a sticky L4 tier sends.
 */
export function mostlyToFirst(addresses: readonly string[]): Spread {
  if (addresses.length < 2) return () => addresses[0] as string;
  return (index) =>
    index % 4 === 3
      ? (addresses[1 + (Math.floor(index / 4) % (addresses.length - 1))] as string)
      : (addresses[0] as string);
}

/** One instance's client: how its requests were answered ("error" for none). */
export interface InstanceOutcomes {
  readonly address: string;
  readonly outcomes: readonly string[];
}

/**
 * A client per instance, each sending `count` requests one after another on a kept-alive
 * connection, all at once; `afterRequest(instance, sent)` runs after each request (a step kills an
 * instance from there). A request that gets no answer is an "error", and its client goes on.
 */
export async function clientPerInstance(
  addresses: readonly string[],
  count: number,
  afterRequest: (instance: number, sent: number) => Promise<void>,
): Promise<InstanceOutcomes[]> {
  return Promise.all(
    addresses.map(async (address, instance) => {
      const client = new Client(`http://${address}`, requestBudget());
      const outcomes: string[] = [];
      try {
        for (let sent = 1; sent <= count; sent++) {
          const outcome = await getStatus(client, '/', { 'x-body-bytes': '0' }).then(
            ({ status }) => String(status),
            () => 'error',
          );
          outcomes.push(outcome);
          await afterRequest(instance, sent);
        }
      } finally {
        await client.destroy().catch(() => {});
      }
      return { address, outcomes };
    }),
  );
}
