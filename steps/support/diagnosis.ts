import type { BackendStats } from '../../harness/backends/provider.ts';
import { arrivalsByRequest, backoffCap, waitsBefore } from '../../harness/checks/resilience-checks.ts';
import { wallClockMs } from '../../harness/clients/traffic.ts';
import { diagnose, type Suggestion } from '../../harness/mistakes/diagnose.ts';
import type { Measurements } from '../../harness/mistakes/measurements.ts';
import type { PoolDocument, RateLimitDocument, RouteDocument } from '../../harness/spec/config-document.ts';
import {
  backendDefaults,
  circuitBreakerDefaults,
  healthCheckDefaults,
  outlierDetectionDefaults,
  retryDefaults,
  timeoutDefaults,
} from '../../reference/src/config/defaults.ts';
import type { LbWorld } from './world.ts';

/** What one topic's steps measured, for the diagnosis (kept in their own topic state). */
type MeasurementSource = (world: LbWorld) => Partial<Measurements>;
const topicSources: MeasurementSource[] = [];

/** Lets a topic's steps add what they measured to the measurements a failure is diagnosed from. */
export function measuredBy(source: MeasurementSource): void {
  topicSources.push(source);
}

/**
 * The mistakes likely behind a failed scenario (`scenario`: its id), from what it measured: the
 * requests its clients sent and the backends of the pool its listener balances over, as the
 * balancer was last configured.
 */
export async function likelyMistakes(world: LbWorld, scenario: string | undefined): Promise<Suggestion[]> {
  return scenario === undefined ? [] : diagnose(await measurementsOf(world, scenario));
}

async function measurementsOf(world: LbWorld, scenario: string): Promise<Measurements> {
  const config = world.balancer.config;
  const listener = config?.listeners[0];
  const poolName = listener?.pool;
  const split = listener?.routes?.find((route) => route.split !== undefined)?.split;
  const pool = poolName === undefined ? undefined : config?.pools[poolName];
  // A backend the scenario stopped or killed cannot be asked: its counts are then left out.
  const running = [...world.backends.runningIds()];
  // One read of each backend's counters gives both what it received and the connections it accepted.
  const stats = await world.backends.statsOf(running).catch(() => undefined);
  const counted = (read: (counters: BackendStats) => number) =>
    stats && Object.fromEntries([...stats].map(([id, counters]) => [id, read(counters)]));
  const received = counted((counters) => counters.requests);
  const accepted = counted((counters) => counters.acceptedConnections);
  const check = pool?.healthCheck;
  const retryWaits = pool?.retries
    ? await retryWaitsOf(world, running, pool.retries).catch(() => undefined)
    : undefined;
  const healthLogs =
    check === undefined || (check.type ?? 'http') !== 'http'
      ? undefined
      : await world.backends.healthLogs(running).catch(() => undefined);
  // A backend that logged too many arrivals to keep them all is left to the clients' view.
  const healthArrivals =
    healthLogs &&
    (await Promise.all(
      [...healthLogs.keys()].map(async (id) => [
        id,
        (await world.backend(id).arrivals()).map(({ atMs }) => atMs),
      ]),
    )
      .then(Object.fromEntries)
      .catch(() => undefined));
  return {
    scenario,
    retries: {
      attempts: pool?.retries?.attempts ?? 0,
      nonIdempotent: pool?.retries?.retryNonIdempotent ?? false,
    },
    ...(received === undefined ? {} : { received }),
    ...(split === undefined
      ? {}
      : {
          split: split.map(({ pool: name, weight }) => ({
            pool: name,
            weight,
            backends: (config?.pools[name]?.backends ?? []).map(({ id }) => id),
          })),
        }),
    ...(check === undefined || healthLogs === undefined
      ? {}
      : {
          healthPolicy: {
            ...healthCheckDefaults,
            ...check,
            initiallyHealthy: (check.initialState ?? healthCheckDefaults.initialState) === 'healthy',
          },
          healthAnswers: Object.fromEntries([...healthLogs].map(([id, log]) => [id, log.answers])),
          healthUnanswered: Object.fromEntries([...healthLogs].map(([id, log]) => [id, log.unanswered])),
          ...(healthArrivals === undefined ? {} : { healthArrivals }),
          inRotation: [...world.routedTo],
          healthObservedMs:
            wallClockMs() - Math.max(world.balancer.upSinceMs ?? 0, world.backends.statsResetAtMs ?? 0),
        }),
    ...(accepted === undefined ? {} : { accepted }),
    ...(world.backupIds.length === 0 ? {} : { backupBackends: world.backupIds }),
    ...(world.balancer.started?.unexpectedExit === undefined
      ? {}
      : { balancerExit: world.balancer.started.unexpectedExit }),
    ...(pool?.panicThresholdPercent ? { panicThresholdPercent: pool.panicThresholdPercent } : {}),
    ...(pool === undefined ? {} : { timeouts: { ...timeoutDefaults, ...pool.timeouts } }),
    ...(pool?.circuitBreaker === undefined
      ? {}
      : { breaker: { ...circuitBreakerDefaults, ...pool.circuitBreaker } }),
    ...(pool?.outlierDetection === undefined
      ? {}
      : { outlier: { ...outlierDetectionDefaults, ...pool.outlierDetection } }),
    ...(retryWaits === undefined ? {} : { retryWaits }),
    ...(listener?.rateLimit === undefined ? {} : { rateLimit: rateLimitOf(listener.rateLimit) }),
    ...(listener?.routes === undefined ? {} : { routes: listener.routes.map(routeOf) }),
    ...(pool?.algorithm === 'consistent_hash'
      ? { hash: { method: pool.hashMethod ?? 'ring', bounded: pool.hashBalanceFactor !== undefined } }
      : {}),
    backends: (pool?.backends ?? []).map(({ id, weight }) => ({
      id,
      weight: weight ?? backendDefaults.weight,
    })),
    exchanges: world.traffic.exchanges,
    ...Object.assign({}, ...topicSources.map((source) => source(world))),
  };
}

/** The listener's rate limit as the diagnosis reads it, defaults filled in. */
function rateLimitOf(limit: RateLimitDocument): NonNullable<Measurements['rateLimit']> {
  const key = limit.key ?? { from: 'client-ip' };
  return {
    key: key.from,
    ...('name' in key ? { header: key.name, whenMissing: key.whenMissing ?? 'client-ip' } : {}),
    capacity: limit.capacity,
    refillPerSecond: limit.refillPerSecond,
    trustedProxies: limit.trustedProxies ?? [],
    ...(limit.store === undefined ? {} : { sharedStore: true }),
  };
}

/** The waits before each retry, read from the running backends' arrival logs (by request id). */
async function retryWaitsOf(
  world: LbWorld,
  running: readonly string[],
  retries: NonNullable<PoolDocument['retries']>,
): Promise<Measurements['retryWaits']> {
  const arrivals = (await Promise.all(running.map((id) => world.backend(id).arrivals()))).flat();
  const byRequest = arrivalsByRequest(arrivals);
  const policy = {
    attempts: retries.attempts,
    baseIntervalMs: retries.baseIntervalMs ?? retryDefaults.baseIntervalMs,
    maxIntervalMs: retries.maxIntervalMs ?? retryDefaults.maxIntervalMs,
  };
  return Array.from({ length: retries.attempts }, (_, index) => ({
    retry: index + 1,
    capMs: backoffCap(index + 1, policy),
    waitsMs: waitsBefore(index + 1, byRequest),
  }));
}

/** A route as the diagnosis reads it: its pool, path prefix, methods, header regexes, added headers, rate limit. */
function routeOf(route: RouteDocument): NonNullable<Measurements['routes']>[number] {
  const path = route.match?.path;
  const headerRegexes = (route.match?.headers ?? []).flatMap((header) =>
    'regex' in header && header.regex !== undefined ? [{ name: header.name, regex: header.regex }] : [],
  );
  const adds = Object.keys(route.requestHeaders?.add ?? {});
  return {
    pool: 'pool' in route && typeof route.pool === 'string' ? route.pool : '',
    ...(path && 'prefix' in path ? { prefix: path.prefix } : {}),
    ...(route.match?.method === undefined ? {} : { methods: route.match.method }),
    ...(headerRegexes.length === 0 ? {} : { headerRegexes }),
    ...(adds.length === 0 ? {} : { addsHeaders: adds }),
    ...(route.rateLimit === undefined ? {} : { rateLimited: true }),
  };
}
