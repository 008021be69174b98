/**
 * Runs one cell of the comparison: one workload against one algorithm, on a balancer started for
 * it over backends the caller started for the workload, and measures what the client saw.
 */
import { Client, Pool } from 'undici';
import type { BalancerAdapter } from '../adapters/adapter.ts';
import type { StartedBackend } from '../backends/provider.ts';
import { seededRandom } from '../checks/seeded-random.ts';
import type { ConfigDocument, PoolDocument } from '../spec/config-document.ts';
import { timeouts } from '../timing/timeouts.ts';
import { pollUntil } from '../timing/waiting.ts';
import { type AlgorithmSetup, keyHeader } from './algorithms.ts';
import { countsByBackend, keysMoved, loadOverTime, peakInFlight, type TimedExchange } from './measures.ts';
import { durationFor, type Scale, type Workload } from './workloads.ts';

/** What one cell measured. */
export interface CellResult {
  readonly workload: string;
  readonly algorithm: string;
  /** Latency of every measured request, in ms, in the order they were sent. */
  readonly latenciesMs: readonly number[];
  /** Measured requests without a 2xx answer. */
  readonly errors: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly peaks: Readonly<Record<string, number>>;
  readonly load: { readonly bucketMs: number; readonly rows: Readonly<Record<string, number[]>> };
  /** The membership workload: the share of probed keys that moved when a backend joined, and left. */
  readonly keysMoved?: { readonly joined: number; readonly left: number };
  /** The recovery workload: the backend that came back, and the most of the burst in flight on it. */
  readonly recovered?: { readonly backend: string; readonly peak: number };
}

/** Where a cell runs: the balancer's adapter, the workload's backends, and fresh loopback addresses. */
export interface Rig {
  readonly adapter: BalancerAdapter;
  readonly backends: readonly StartedBackend[];
  freeAddress(): Promise<string>;
}

// A backend that comes back is probed this often, and counts as up after one passed probe.
const healthCheck = { intervalMs: 100, timeoutMs: 1_000, healthyThreshold: 1, unhealthyThreshold: 1 };

export async function runCell(
  rig: Rig,
  workload: Workload,
  algorithm: AlgorithmSetup,
  scale: Scale,
): Promise<CellResult> {
  const byId = new Map(rig.backends.map((backend) => [backend.id, backend]));
  const members = (ids: readonly string[]): PoolDocument['backends'] =>
    ids.map((id) => {
      const spec = workload.backends.find((backend) => backend.id === id);
      return { id, address: (byId.get(id) as StartedBackend).address, weight: spec?.weight ?? 1 };
    });
  const ids = workload.backends.map((backend) => backend.id);
  const initial = workload.event === 'membership' ? ids.slice(0, -1) : ids;
  const listener = await rig.freeAddress();
  const admin = { address: await rig.freeAddress() };
  const configWith = (memberIds: readonly string[]): ConfigDocument => ({
    version: 1,
    admin,
    listeners: [{ name: 'main', protocol: 'http', address: listener, pool: 'main' }],
    pools: {
      main: {
        ...algorithm.pool,
        backends: members(memberIds),
        ...(workload.event === 'recovery' ? { healthCheck } : {}),
      },
    },
  });
  for (const backend of rig.backends) await backend.resetStats();
  await using balancer = await rig.adapter.start(configWith(initial));
  const traffic = trafficFor(workload, scale);
  const measured: { exchanges: TimedExchange[]; originMs: number } = { exchanges: [], originMs: 0 };
  let moved: CellResult['keysMoved'];
  let recovered: CellResult['recovered'];
  if (workload.event === 'membership') {
    const third = Math.floor(scale.requests / 3);
    measured.originMs = performance.now();
    measured.exchanges.push(...(await send(listener, traffic.slice(0, third), scale.concurrency)));
    const before = await probeKeys(listener, scale.probeKeys);
    await balancer.reconfigure(configWith(ids));
    const joined = await probeKeys(listener, scale.probeKeys);
    measured.exchanges.push(...(await send(listener, traffic.slice(third, 2 * third), scale.concurrency)));
    await balancer.reconfigure(configWith(ids.slice(1)));
    const left = await probeKeys(listener, scale.probeKeys);
    measured.exchanges.push(...(await send(listener, traffic.slice(2 * third), scale.concurrency)));
    moved = { joined: keysMoved(before, joined), left: keysMoved(joined, left) };
  } else if (workload.event === 'recovery') {
    const result = await burstAfterRecovery(rig.backends, listener, scale);
    measured.originMs = result.originMs;
    measured.exchanges.push(...result.burst);
    recovered = { backend: result.recovered, peak: peakInFlight(result.burst)[result.recovered] ?? 0 };
  } else {
    measured.originMs = performance.now();
    measured.exchanges.push(...(await send(listener, traffic, scale.concurrency)));
  }
  const { exchanges, originMs } = measured;
  const lastMs = Math.max(...exchanges.map((exchange) => exchange.endMs));
  const bucketMs = Math.max(10, Math.ceil((lastMs - originMs) / 20));
  return {
    workload: workload.id,
    algorithm: algorithm.id,
    latenciesMs: exchanges.map((exchange) => exchange.endMs - exchange.startMs),
    errors: exchanges.filter((exchange) => !exchange.ok).length,
    counts: countsByBackend(exchanges),
    peaks: peakInFlight(exchanges),
    load: { bucketMs, rows: loadOverTime(exchanges, ids, originMs, bucketMs) },
    ...(moved ? { keysMoved: moved } : {}),
    ...(recovered ? { recovered } : {}),
  };
}

/** One request as the client sends it: its key, and the service time it asks for, if any. */
interface PlannedRequest {
  readonly key: string;
  readonly delayMs: number | undefined;
}

/** The workload's requests, the same for every algorithm (seeded by the workload's id). */
export function trafficFor(workload: Workload, scale: Scale): PlannedRequest[] {
  let seed = 0;
  for (const char of workload.id) seed = (seed * 31 + char.charCodeAt(0)) >>> 0;
  const random = seededRandom(seed);
  return Array.from({ length: scale.requests }, () => ({
    key: `k${Math.floor(random() * scale.keys)}`,
    delayMs: workload.durations ? durationFor(workload.durations, random()) : undefined,
  }));
}

/**
 * Sends `requests` over `concurrency` kept-alive connections, each taking the next request in turn;
 * the exchanges come back in the order of `requests`.
 */
async function send(
  listener: string,
  requests: readonly PlannedRequest[],
  concurrency: number,
): Promise<TimedExchange[]> {
  const exchanges = new Array<TimedExchange>(requests.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    const client = new Client(`http://${listener}`, { headersTimeout: timeouts.requestMs });
    try {
      for (let i = next++; i < requests.length; i = next++) {
        exchanges[i] = await exchangeOnce(client, requests[i] as PlannedRequest);
      }
    } finally {
      await client.close();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return exchanges;
}

async function exchangeOnce(client: Client | Pool, { key, delayMs }: PlannedRequest): Promise<TimedExchange> {
  const headers: Record<string, string> = { [keyHeader]: key, 'x-body-bytes': '0' };
  if (delayMs !== undefined) headers['x-delay-ms'] = String(delayMs);
  const startMs = performance.now();
  try {
    const response = await client.request({ method: 'GET', path: '/compare', headers });
    await response.body.dump();
    const backend = response.headers['x-backend-id'];
    return {
      startMs,
      endMs: performance.now(),
      backend: typeof backend === 'string' ? backend : undefined,
      ok: response.statusCode >= 200 && response.statusCode < 300,
    };
  } catch {
    return { startMs, endMs: performance.now(), backend: undefined, ok: false };
  }
}

/**
 * Which backend answers each of `count` probe keys (answered at once: the backends' latency would
 * only slow the probe down).
 */
async function probeKeys(listener: string, count: number): Promise<Map<string, string>> {
  const keys = Array.from({ length: count }, (_, i) => `probe-${i}`);
  const answers = await send(
    listener,
    keys.map((key) => ({ key, delayMs: 0 })),
    8,
  );
  const owners = new Map<string, string>();
  for (const [i, answer] of answers.entries())
    if (answer.backend !== undefined) owners.set(keys[i] as string, answer.backend);
  return owners;
}

/**
 * The last backend fails its health checks and leaves the rotation; the others take long requests
 * (eight each); it passes again, and once the balancer has had a passed probe answered, `burst`
 * requests arrive at once. Returns the burst's exchanges.
 */
async function burstAfterRecovery(
  backends: readonly StartedBackend[],
  listener: string,
  scale: Scale,
): Promise<{ burst: TimedExchange[]; originMs: number; recovered: string }> {
  const returning = backends[backends.length - 1] as StartedBackend;
  const others = backends.slice(0, -1);
  const checksSoFar = async () => (await returning.stats()).healthChecks;
  const waitForChecks = async (what: string) => {
    // Two more probes: the answer to the first was in before the second was sent.
    const from = await checksSoFar();
    await pollUntil(async () => ((await checksSoFar()) >= from + 2 ? true : undefined), {
      what,
      timeoutMs: timeouts.settleMs,
    });
  };
  await returning.setBehaviour({ healthy: false });
  await waitForChecks(`backend "${returning.id}" to fail a health check`);
  const heldPerBackend = 8;
  const held = others.length * heldPerBackend;
  const pool = new Pool(`http://${listener}`, {
    connections: held + scale.burst,
    headersTimeout: timeouts.requestMs,
  });
  try {
    const holding = Promise.all(
      Array.from({ length: held }, (_, i) => exchangeOnce(pool, { key: `held-${i}`, delayMs: 1_000 })),
    );
    await pollUntil(
      async () => {
        let active = 0;
        for (const backend of others) active += (await backend.stats()).activeRequests;
        return active >= held ? true : undefined;
      },
      { what: `${held} long requests to be in flight on the other backends`, timeoutMs: timeouts.settleMs },
    );
    await returning.setBehaviour({ healthy: true });
    await waitForChecks(`backend "${returning.id}" to pass a health check`);
    const originMs = performance.now();
    const burst = await Promise.all(
      Array.from({ length: scale.burst }, (_, i) => exchangeOnce(pool, { key: `burst-${i}`, delayMs: 20 })),
    );
    await holding;
    return { burst, originMs, recovered: returning.id };
  } finally {
    await pool.close();
  }
}
