import { RedisServer, redisMissing } from '../../harness/processes/redis-server.ts';
import { freeLoopbackAddress } from './balancer-under-test.ts';
import { topicState } from './topic-state.ts';
import type { LbWorld } from './world.ts';

const store = topicState(() => ({ redis: undefined as RedisServer | undefined }));

/**
 * Starts the Redis a fleet keeps its shared state in, stopped when the scenario ends; returns why
 * it cannot be started here (redis-server not installed) instead, for the scenario to be skipped.
 */
export async function startSharedStore(world: LbWorld): Promise<{ readonly missing: string } | RedisServer> {
  const missing = redisMissing();
  if (missing !== undefined) return { missing };
  const port = Number((await freeLoopbackAddress()).split(':')[1]);
  const redis = await RedisServer.start(port);
  store(world).redis = redis;
  world.onDispose(() => redis[Symbol.asyncDispose]());
  return redis;
}

/** The scenario's shared store; throws when none was started. */
export function sharedStore(world: LbWorld): RedisServer {
  const redis = store(world).redis;
  if (!redis)
    throw new Error(
      'no shared store was started in this scenario ("Given a Redis for the fleet\'s shared state")',
    );
  return redis;
}
