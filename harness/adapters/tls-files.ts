// Where a product that reads its certificates from files finds those of the neutral config, which
// carries them inline: one set per TLS listener in the balancer's run directory.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigDocument } from '../spec/config-document.ts';

/**
 * The files of a listener's certificate and key: apart, and together (certificate then key);
 * with `sniIndex`, those of its tls.sni entry of that index.
 */
export function tlsPaths(directory: string, listenerName: string, sniIndex?: number) {
  const base = join(directory, `tls-${listenerName}${sniIndex === undefined ? '' : `-sni-${sniIndex}`}`);
  return { certificate: `${base}.crt`, key: `${base}.key`, combined: `${base}.pem` };
}

/** The file of the CA certificates a pool checks its backends' certificates against. */
export function poolCaPath(directory: string, poolName: string): string {
  return join(directory, `tls-pool-${poolName}-ca.pem`);
}

/**
 * Writes the certificate files of every TLS listener of `config` (keys readable by the owner only)
 * and the CA file of every pool that speaks TLS to its backends.
 */
export async function writeTlsFiles(config: ConfigDocument, directory: string): Promise<void> {
  for (const [name, pool] of Object.entries(config.pools)) {
    if (pool.tls) await writeFile(poolCaPath(directory, name), pool.tls.ca);
  }
  for (const listener of config.listeners) {
    if (!listener.tls) continue;
    await writePair(tlsPaths(directory, listener.name), listener.tls);
    for (const [index, pair] of (listener.tls.sni ?? []).entries())
      await writePair(tlsPaths(directory, listener.name, index), pair);
  }
}

async function writePair(
  paths: ReturnType<typeof tlsPaths>,
  { certificate, key }: { readonly certificate: string; readonly key: string },
): Promise<void> {
  const ended = (pem: string) => (pem.endsWith('\n') ? pem : `${pem}\n`);
  await writeFile(paths.certificate, ended(certificate));
  await writeFile(paths.key, ended(key), { mode: 0o600 });
  await writeFile(paths.combined, ended(certificate) + ended(key), { mode: 0o600 });
}
