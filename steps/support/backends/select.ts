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
