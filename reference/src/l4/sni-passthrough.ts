import type { Socket } from 'node:net';
import type { ListenerContext } from '../listener-context.ts';
import { readClientHello } from './client-hello.ts';
import { proxyTcpConnection } from './tcp-proxy.ts';

/**
 * Reads a client's first bytes until they show its ClientHello's server name (or that there is
 * none), then relays the connection to the pool for that name, those bytes first, untouched.
 */
export function passThroughByServerName(
  client: Socket,
  listenerAddress: string,
  context: Pick<ListenerContext, 'poolForServerName' | 'joinConnections' | 'attemptChoices' | 'openLedger'>,
): void {
  let seen = Buffer.alloc(0);
  const decide = (serverName: string | undefined): void => {
    client.off('data', read);
    client.off('end', ended);
    client.pause();
    if (seen.length > 0) client.unshift(seen);
    void proxyTcpConnection(client, context.poolForServerName(listenerAddress, serverName), context);
  };
  const read = (chunk: Buffer): void => {
    seen = Buffer.concat([seen, chunk]);
    const hello = readClientHello(seen);
    if (hello.kind === 'hello') decide(hello.serverName);
    else if (hello.kind === 'not-hello') decide(undefined);
  };
  // A client that half-closes before its hello is whole gets the listener's pool with what it sent.
  const ended = (): void => decide(undefined);
  client.on('data', read);
  client.once('end', ended);
  client.on('error', () => client.destroy());
}
