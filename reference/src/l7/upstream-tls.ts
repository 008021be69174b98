// How the balancer speaks TLS to a pool's backends: its CA alone, and the pool's server name both
// sent (SNI) and checked, whatever address the backend is reached at.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { type ConnectionOptions, checkServerIdentity } from 'node:tls';
import type { UpstreamTlsConfig } from '../config/types.ts';
import type { Defects } from '../defects.ts';

/** The options of tls.connect (or https.request) for a backend of a pool with `tls`. */
export function upstreamTlsOptions(tls: UpstreamTlsConfig, defects: Defects = {}): ConnectionOptions {
  return {
    ca: tls.ca,
    rejectUnauthorized: !defects.upstreamCertificatesUnchecked,
    // SNI carries host names only (RFC 6066 3); an address is still what the certificate must name.
    ...(isIP(tls.serverName) || defects.upstreamWithoutSni ? {} : { servername: tls.serverName }),
    checkServerIdentity: (_host, certificate) => checkServerIdentity(tls.serverName, certificate),
  };
}

// Asked for every request on node's path: worked out once per config object, not per request.
const keys = new WeakMap<UpstreamTlsConfig, string>();

/**
 * One key per distinct TLS setting, so pools that differ in it never share a connection, and a
 * reload that keeps it keeps the warm connections too.
 */
export function upstreamTlsKey(tls: UpstreamTlsConfig | undefined): string {
  if (tls === undefined) return 'plain';
  let key = keys.get(tls);
  if (key === undefined) {
    key = createHash('sha256')
      .update(JSON.stringify([tls.serverName, tls.ca]))
      .digest('hex');
    keys.set(tls, key);
  }
  return key;
}
