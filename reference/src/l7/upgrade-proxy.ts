import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { connectWithin } from '../l4/tcp-proxy.ts';
import type { ListenerContext, Routed } from '../listener-context.ts';
import { schemeOf } from './tls-termination.ts';

/**
 * Proxies a request to switch protocols (a WebSocket handshake): the head goes to a backend with
 * Connection: Upgrade and its Upgrade header kept (the only case they are not hop-by-hop), and from
 * the backend's answer on the connection is a byte pipe both ways, as a TCP listener's is. The
 * backend's 101 (or refusal) reaches the client as it sent it.
 */
export async function proxyUpgrade(
  request: IncomingMessage,
  client: Socket,
  head: Buffer,
  routed: Routed | undefined,
  {
    shapeUpstreamRequest,
    joinConnections,
    openLedger,
  }: Pick<ListenerContext, 'shapeUpstreamRequest' | 'joinConnections' | 'openLedger'>,
): Promise<void> {
  client.on('error', () => client.destroy());
  if (routed?.kind !== 'forward') {
    if (routed) answerOnSocket(client, routed.status, routed.location, { location: routed.location });
    else
      answerOnSocket(
        client,
        404,
        `no route matches ${request.method} ${request.headers.host ?? '(no host)'}${request.url}`,
      );
    return;
  }
  const upstream = routed.pool.pick();
  if (!upstream) {
    answerOnSocket(client, 503, `no backend available in pool "${routed.pool.name}"`, {
      'retry-after': String(routed.pool.retryAfterSeconds()),
    });
    return;
  }
  const ledger = openLedger(upstream);
  const backend = await connectWithin(upstream);
  if (!backend) {
    ledger.settle(false);
    ledger.record({ failure: 'connect-failure' });
    answerOnSocket(client, 502, `backend "${upstream.id}" (${upstream.address}) could not be connected to`);
    return;
  }
  ledger.record({ connected: true });
  const { target, headers } = shapeUpstreamRequest(
    request.rawHeaders,
    request.socket.remoteAddress,
    routed,
    schemeOf(request.socket),
  );
  headers.push('Connection', 'Upgrade', 'Upgrade', request.headers.upgrade ?? '');
  const lines = [`${request.method} ${target} HTTP/1.1`];
  for (let i = 0; i < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`);
  backend.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length > 0) backend.socket.write(head);
  joinConnections(client, backend, ledger);
}

/** Answers on the raw socket and closes it: after an upgrade request node writes nothing for us. */
export function answerOnSocket(
  client: Socket,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  const body = `lbspec-reference: ${message}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'content-type: text/plain; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  client.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
