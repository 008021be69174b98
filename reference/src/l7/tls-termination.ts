// TLS in front of a listener's HTTP server: the handshake here, the requests in node's server.

import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  createSecureContext,
  createServer as createTlsServer,
  type SecureContext,
  TLSSocket,
  type Server as TlsServer,
} from 'node:tls';
import type { ListenerTlsConfig } from '../config/types.ts';
import type { Defects } from '../defects.ts';
import type { Scheme } from '../listener-context.ts';

// The application protocols the listener speaks, the one it prefers first. A client that offers
// one gets it; one that offers only others gets no protocol selected, never one not spoken.
const http1Only = ['http/1.1'];
const http2First = ['h2', 'http/1.1'];

/** What takes a connection once its handshake is done, and whether it speaks HTTP/2. */
export interface TlsServing {
  readonly http2: boolean;
  readonly serve: (socket: TLSSocket) => void;
}

/** A listener's TLS server, and how a reload gives it new certificates or a new minimum version. */
export interface TlsFront {
  readonly server: TlsServer;
  /** From the next handshake on: connections already made keep what they negotiated. */
  update(tls: ListenerTlsConfig): void;
}

/** A TLS server that hands each connection, once its handshake is done, to `serving`. */
export function tlsFront(tls: ListenerTlsConfig, serving: TlsServing, defects: Defects): TlsFront {
  const spoken = serving.http2 ? http2First : http1Only;
  const select = (offered: string[]): string | undefined =>
    defects.alpnSelectsFirstOffered ? offered[0] : spoken.find((protocol) => offered.includes(protocol));
  let byName = certificatesByName(tls);
  const server = createTlsServer(
    {
      ...contextOptions(tls),
      ALPNCallback: ({ protocols }) => select(protocols),
      // Without a match (or a name), undefined: the default certificate.
      SNICallback: (serverName, choose) =>
        choose(
          null,
          byName.find(({ names }) => names.some((name) => nameMatches(name, serverName)))?.context,
        ),
    },
    serving.serve,
  );
  // A handshake that fails (an old version, a client that distrusts the certificate) ends there;
  // nothing of it reaches a backend.
  server.on('tlsClientError', (_error: Error, socket: TLSSocket) => socket.destroy());
  return {
    server,
    update(next) {
      server.setSecureContext(contextOptions(next));
      byName = certificatesByName(next);
    },
  };
}

function contextOptions({ certificate, key, minVersion }: ListenerTlsConfig) {
  return { cert: certificate, key, minVersion };
}

/** The tls.sni certificates, each with the names it is for. */
function certificatesByName(tls: ListenerTlsConfig): { names: string[]; context: SecureContext }[] {
  return (tls.sni ?? []).map(({ certificate, key }) => ({
    names: dnsNamesOf(certificate),
    context: createSecureContext({ cert: certificate, key, minVersion: tls.minVersion }),
  }));
}

/** The DNS names a certificate is for, as its subjectAltName lists them. */
export function dnsNamesOf(certificatePem: string): string[] {
  return (new X509Certificate(certificatePem).subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
}

/**
 * Whether a certificate's DNS name covers the name a client asked for: equal, ignoring case, or a
 * wildcard standing for exactly one leftmost label ("*.a.test" covers "x.a.test", not "a.test" nor
 * "x.y.a.test"; RFC 6125 6.4.3).
 */
export function nameMatches(certificateName: string, serverName: string): boolean {
  const asked = serverName.toLowerCase();
  if (!certificateName.startsWith('*.')) return certificateName === asked;
  const dot = asked.indexOf('.');
  return dot > 0 && asked.slice(dot + 1) === certificateName.slice(2);
}

/** "https" for a connection that came through TLS. */
export function schemeOf(socket: Socket): Scheme {
  return socket instanceof TLSSocket ? 'https' : 'http';
}
