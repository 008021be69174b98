import type { Spread } from './limits.ts';

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
