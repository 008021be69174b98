// The HTTPS listener scenarios start: a certificate from the run's CA for the name clients ask for.
import type { PoolSettings } from '../../harness/spec/config-document.ts';
import { testPki } from '../../harness/tls/test-pki.ts';
import type { LbWorld } from './world.ts';

/** The name clients ask for and the run's certificate is for (with the listener's address). */
export const serverName = 'localhost';

/** Starts the balancer with one HTTPS listener over every backend, with these TLS, listener and pool settings. */
export async function startTlsBalancer(
  world: LbWorld,
  algorithm: string,
  settings: Record<string, unknown>,
  listenerSettings: Record<string, unknown> = {},
  poolSettings: PoolSettings = {},
): Promise<void> {
  await world.startBalancer(
    'http',
    algorithm,
    [...world.backends.keys()].map((id) => ({ id })),
    poolSettings,
    { tls: await listenerTls(settings), ...listenerSettings },
  );
}

/** A listener's "tls": the run's certificate for the name clients ask for, with these settings. */
export async function listenerTls(settings: Record<string, unknown> = {}) {
  const { certificatePem, keyPem } = await (await testPki()).leaf([serverName, '127.0.0.1']);
  return { certificate: certificatePem, key: keyPem, ...settings };
}
