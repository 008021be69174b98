// TLS in front of a listener's HTTP server: the handshake here, the requests in node's server.
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { createServer as createTlsServer, TLSSocket, type Server as TlsServer } from 'node:tls';
import type { ListenerTlsConfig } from '../config/types.ts';
import type { Defects } from '../defects.ts';
import type { Scheme } from '../listener-context.ts';

// The one application protocol the listener speaks. A client that offers it gets it; one that
// offers only others gets no protocol selected, and never one the listener would not speak.
const applicationProtocols = ['http/1.1'];

/** A TLS server that hands each connection, once its handshake is done, to `httpServer`. */
export function tlsFront(tls: ListenerTlsConfig, httpServer: HttpServer, defects: Defects): TlsServer {
  const spoken = (protocol: string) =>
    defects.alpnSelectsFirstOffered || applicationProtocols.includes(protocol);
  const server = createTlsServer(
    {
      cert: tls.certificate,
      key: tls.key,
      minVersion: tls.minVersion,
      ALPNCallback: ({ protocols }) => protocols.find(spoken),
    },
    (socket) => httpServer.emit('connection', socket),
  );
  // A handshake that fails (an old version, a client that distrusts the certificate) ends there;
  // nothing of it reaches a backend.
  server.on('tlsClientError', (_error: Error, socket: TLSSocket) => socket.destroy());
  return server;
}

/** "https" for a connection that came through TLS. */
export function schemeOf(socket: Socket): Scheme {
  return socket instanceof TLSSocket ? 'https' : 'http';
}
