import { containerBackendProvider } from './container-provider.ts';
import { processBackendProvider } from './process-provider.ts';
import type { BackendProvider } from './provider.ts';

const providers: Record<string, BackendProvider> = {
  process: processBackendProvider,
  container: containerBackendProvider,
};

/** The backend provider: LBSPEC_BACKENDS if set, else the profile's `backends`, else `process`. */
export function selectBackendProvider(
  profileChoice: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): BackendProvider {
  const name = env.LBSPEC_BACKENDS || profileChoice || 'process';
  const provider = providers[name];
  if (!provider) {
    throw new Error(
      `unknown backend provider "${name}" (from LBSPEC_BACKENDS or the profile); known: ${Object.keys(providers).join(', ')}`,
    );
  }
  return provider;
}

/**
 * Reads LBSPEC_BACKEND_REUSE: "on" (the default, also when unset) lets a worker hand a scenario's
 * unharmed backends (never stopped, killed, paused or restarted), reset, to its next one, whether
 * the scenario passed or failed; "off" starts every scenario's backends anew.
 */
export function backendReuseSetting(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`LBSPEC_BACKEND_REUSE="${value}" is not a setting: use "on" (the default) or "off"`);
}
