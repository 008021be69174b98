import { Client } from 'undici';
import { getStatus } from './status-only.ts';
import { describeError, requestBudget } from './traffic.ts';

/** Where a request carries its consistent-hash key. */
export type KeySource =
  | { readonly in: 'header' | 'cookie' | 'query'; readonly name: string }
  | { readonly in: 'path' | 'client-ip' };

/** Where each key's request landed: a backend id, or what came back instead ("HTTP 503", an error). */
export type Placement = ReadonlyMap<string, string>;

/**
 * `count` keys for a source: "user-<i>", or for the client's address 127.0.<x>.<y> (loopback,
 * which Linux answers on every 127/8 address), starting at 127.0.1.1.
 */
export function keysFor(source: KeySource, count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    source.in === 'client-ip' ? `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}` : `user-${i}`,
  );
}

/**
 * Sends one request per key, `concurrency` at a time, and notes where each landed. Everything else
 * about the requests varies (a second cookie, a second query parameter, the client port), so a
 * balancer that hashes more than the key cannot keep a key in one place.
 */
export async function placeKeys(
  address: string,
  source: KeySource,
  keys: readonly string[],
  concurrency = 8,
): Promise<Placement> {
  const placement = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    // A client per worker keeps its connection; a client-address key needs a client per key.
    const shared = source.in === 'client-ip' ? undefined : new Client(`http://${address}`, requestBudget());
    try {
      for (let index = next++; index < keys.length; index = next++) {
        const key = keys[index] as string;
        const client = shared ?? new Client(`http://${address}`, { ...requestBudget(), localAddress: key });
        try {
          placement.set(key, await landing(client, source, key, index));
        } finally {
          if (!shared) await client.destroy().catch(() => {});
        }
      }
    } finally {
      await shared?.destroy().catch(() => {});
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return placement;
}

async function landing(client: Client, source: KeySource, key: string, seq: number): Promise<string> {
  const nonce = `${seq}-${Math.floor(performance.now() * 1000)}`;
  const request =
    source.in === 'header'
      ? { path: `/?n=${nonce}`, headers: { [source.name]: key } }
      : source.in === 'cookie'
        ? { path: '/', headers: { cookie: `${source.name}=${key}; n=${nonce}` } }
        : source.in === 'query'
          ? { path: `/?${source.name}=${key}&n=${nonce}`, headers: {} }
          : source.in === 'path'
            ? { path: `/items/${key}?n=${nonce}`, headers: {} }
            : { path: `/?n=${nonce}`, headers: {} };
  try {
    // The client's connect, headers and body timeouts bound the request; a timeout signal of its
    // own per request would cost about as much CPU as the request itself.
    const answer = await getStatus(client, request.path, request.headers, 'x-backend-id');
    return answer.status === 200 && answer.header !== undefined ? answer.header : `HTTP ${answer.status}`;
  } catch (error) {
    return describeError(error);
  }
}

/** Keys whose landing differs between two placements of the same keys. */
export function movedKeys(before: Placement, after: Placement): string[] {
  return [...before.keys()].filter((key) => before.get(key) !== after.get(key));
}

/** How many keys each backend holds. */
export function keysPerBackend(placement: Placement): Map<string, number> {
  const counts = new Map<string, number>();
  for (const backend of placement.values()) counts.set(backend, (counts.get(backend) ?? 0) + 1);
  return counts;
}
