import { selectAdapter } from '../../harness/adapters/select.ts';
import { containerBackendProvider } from '../../harness/backends/container-provider.ts';
import { backendReuseSetting, selectBackendProvider } from '../../harness/backends/select.ts';
import { containerSupportProblem } from '../../harness/containers/engine.ts';
import { redisMissing } from '../../harness/processes/redis-server.ts';
import type { LbWorldParameters } from './world.ts';

/**
 * What is wrong with a run's settings (LBSPEC_* and the profile's parameters), checked once before
 * any scenario: an unknown adapter or backend provider, a command or capabilities file the adapter
 * cannot use, containers without the package that runs them. Undefined when nothing is.
 */
export async function settingsProblem(
  parameters: LbWorldParameters,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  try {
    const provider = selectBackendProvider(parameters.backends, env);
    backendReuseSetting(env.LBSPEC_BACKEND_REUSE);
    // Without the setting, a missing redis-server only skips the scenarios that need it.
    const redis = env.LBSPEC_REDIS_SERVER ? redisMissing(env.LBSPEC_REDIS_SERVER) : undefined;
    if (redis) return `LBSPEC_REDIS_SERVER: ${redis}`;
    await selectAdapter(parameters.adapter, env).describe();
    const adapter = env.LBSPEC_ADAPTER || parameters.adapter;
    if (provider === containerBackendProvider || adapter === 'container')
      return await containerSupportProblem();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
