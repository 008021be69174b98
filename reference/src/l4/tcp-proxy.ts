import { connect, type Socket } from 'node:net';
import type { Defects } from '../listener.ts';
import type { RuntimePool } from '../pools.ts';

/**
 * Pipes one client connection to a backend chosen from `pool`, both ways. A half-close on either
 * side is passed on (the other direction keeps flowing); an error on either side resets both.
 */
export function proxyTcpConnection(
  client: Socket,
  pool: RuntimePool | undefined,
  defects: Defects = {},
): void {
  const upstream = pool?.selector.pick();
  if (!upstream) {
    client.resetAndDestroy();
    return;
  }
  upstream.load.active++;
  // The client socket closes exactly once, after both directions ended or either side failed.
  client.once('close', () => {
    if (!defects.neverReleaseLoad) upstream.load.active--;
  });
  client.setNoDelay(true);
  const backend = connect({ host: upstream.host, port: upstream.port, allowHalfOpen: true, noDelay: true });
  const resetBoth = (): void => {
    if (!client.destroyed) client.resetAndDestroy();
    if (!backend.destroyed) backend.resetAndDestroy();
  };
  client.on('error', resetBoth);
  backend.on('error', resetBoth);
  // Both sockets allow half-open, so `end` from one side becomes a FIN on the other while data
  // still flows the other way; each socket closes once both directions have ended.
  client.pipe(backend);
  backend.pipe(client);
}
