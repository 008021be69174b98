import type { Exchange } from './traffic.ts';

/**
 * `total` exchanges numbered 0 to total-1, `atOnce` of them under way at a time (each lane takes
 * the next number as its last ends), in the order of their numbers.
 */
export async function inLanes(
  total: number,
  atOnce: number,
  exchange: (seq: number) => Promise<Exchange>,
): Promise<Exchange[]> {
  const exchanges: Exchange[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) exchanges.push(await exchange(next++));
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, total) }, lane));
  return exchanges.sort((a, b) => a.seq - b.seq);
}
