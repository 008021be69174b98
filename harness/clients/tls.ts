// One HTTPS request with the TLS offer a scenario names, and what the handshake settled.
import { request } from 'node:https';
import type { PeerCertificate, SecureVersion, TLSSocket } from 'node:tls';
import { splitHostPort } from './net.ts';
import type { RawAnswer } from './traffic.ts';

/** What the client offers: versions, application protocols (ALPN), and the name it asks for (SNI). */
export interface TlsOffer {
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
  readonly alpn?: readonly string[];
  readonly serverName: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * false: the chain must still lead to the CA, but the certificate may be for any name (to see
   * which one a server chose). Default true: it must be for `serverName`.
   */
  readonly checkName?: boolean;
}

/** A handshake and request that went through, or the handshake (or connection) that failed. */
export type TlsOutcome =
  | {
      readonly kind: 'served';
      readonly version: string;
      /** The protocol ALPN selected; false when none was. */
      readonly alpn: string | false;
      /** The names the server's certificate is for, as its subjectAltName says. */
      readonly certificateNames: string;
      /** The SHA-256 fingerprint of that certificate (colon-separated hex, as node gives it). */
      readonly certificateFingerprint: string;
      readonly answer: RawAnswer;
    }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * Sends GET / over TLS to `address`, trusting only `caPem`, and reads the whole answer. The
 * certificate must be valid for `offer.serverName` and signed by that CA, or the outcome is a
 * refusal naming why.
 */
export function requestOverTls(
  address: string,
  caPem: string,
  offer: TlsOffer,
  timeoutMs: number,
): Promise<TlsOutcome> {
  const { host, port } = splitHostPort(address);
  return new Promise((resolve) => {
    const outgoing = request(
      {
        host,
        port,
        path: '/',
        agent: false,
        ca: caPem,
        servername: offer.serverName,
        ...(offer.checkName === false ? { checkServerIdentity: () => undefined } : {}),
        minVersion: offer.minVersion,
        maxVersion: offer.maxVersion,
        ...(offer.alpn ? { ALPNProtocols: [...offer.alpn] } : {}),
        headers: { host: offer.serverName || 'localhost', connection: 'close', ...offer.headers },
        timeout: timeoutMs,
      },
      (response) => {
        const socket = response.socket as TLSSocket;
        const certificate = socket.getPeerCertificate() as PeerCertificate;
        const settled = {
          version: socket.getProtocol() ?? '(unknown)',
          alpn: socket.alpnProtocol ?? false,
          certificateNames: certificate.subjectaltname ?? '',
          certificateFingerprint: certificate.fingerprint256,
        };
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => resolve({ kind: 'refused', reason: error.message }));
        response.on('end', () =>
          resolve({
            kind: 'served',
            ...settled,
            answer: {
              status: response.statusCode ?? 0,
              headers: Object.fromEntries(
                Object.entries(response.headers).map(([name, value]) => [
                  name,
                  Array.isArray(value) ? value.join(', ') : (value ?? ''),
                ]),
              ),
              body: Buffer.concat(chunks).toString('utf8'),
            },
          }),
        );
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error) => resolve({ kind: 'refused', reason: error.message }));
    outgoing.end();
  });
}
