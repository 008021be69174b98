import type { BalancerAdapter } from './adapter.ts';
import { caddyAdapter } from './caddy.ts';
import { commandAdapter } from './command.ts';
import { containerAdapter } from './container.ts';
import { haproxyAdapter } from './haproxy.ts';
import { nginxAdapter } from './nginx.ts';
import { referenceAdapter } from './reference.ts';

const adapters: Record<string, (env: NodeJS.ProcessEnv) => BalancerAdapter> = {
  reference: () => referenceAdapter(),
  command: (env) => commandAdapter(env),
  nginx: () => nginxAdapter(),
  haproxy: () => haproxyAdapter(),
  caddy: () => caddyAdapter(),
  container: (env) => containerAdapter(env),
};

/**
 * The adapter a run uses: LBSPEC_ADAPTER if set, else the profile's world parameter `adapter`,
 * else `command` when LBSPEC_COMMAND is set, else `reference`.
 */
export function selectAdapter(
  profileChoice: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): BalancerAdapter {
  const name = env.LBSPEC_ADAPTER || profileChoice || (env.LBSPEC_COMMAND ? 'command' : 'reference');
  const create = adapters[name];
  if (!create) {
    throw new Error(
      `unknown adapter "${name}" (from LBSPEC_ADAPTER or the profile); known: ${Object.keys(adapters).join(', ')}`,
    );
  }
  return create(env);
}
