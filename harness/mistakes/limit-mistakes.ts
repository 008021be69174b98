// The rate-limit mistakes of the catalogue, read from runs of requests from one client each (its
// address and headers, and what each request got), the upgrades a client asked for, and a flood of
// keys against the balancer's memory.
import type { LimitedRunMeasured, Measurements } from './measurements.ts';
import type { Mistake } from './mistake.ts';

/**
 * The bucket a correct balancer charges a run to, by the listener's rate limit: the client's
 * address (or, from a trusted proxy, the last address of its X-Forwarded-For), one for everyone,
 * or the key header's value (without it, the address or nothing, as whenMissing says).
 */
export function bucketOf(
  run: LimitedRunMeasured,
  limit: NonNullable<Measurements['rateLimit']>,
): string | undefined {
  const header = (name: string) =>
    run.headers.find(([candidate]) => candidate.toLowerCase() === name.toLowerCase())?.[1];
  const address = () => {
    const forwarded = header('x-forwarded-for');
    const last = forwarded?.split(',').at(-1)?.trim();
    return limit.trustedProxies.includes(run.from) && last ? last : run.from;
  };
  if (limit.key === 'global') return 'global';
  if (limit.key === 'client-ip') return `address ${address()}`;
  const value = header(limit.header ?? '');
  if (value !== undefined) return `key ${value}`;
  return limit.whenMissing === 'client-ip' ? `address ${address()}` : undefined;
}

const refused = (run: LimitedRunMeasured) => run.answers.some((answer) => answer.status === 429);
const passed = (run: LimitedRunMeasured) => run.answers.filter((answer) => answer.status < 400).length;
const firstRefused = (run: LimitedRunMeasured) => run.answers[0]?.status === 429;

/** Pairs of runs, earlier first, for the limit the measurements name. */
function pairs(measured: Measurements): [LimitedRunMeasured, LimitedRunMeasured][] {
  const runs = measured.limitedRuns ?? [];
  return runs.flatMap((later, j) =>
    runs.slice(0, j).map((earlier) => [earlier, later] as [LimitedRunMeasured, LimitedRunMeasured]),
  );
}

/** Runs by the bucket a correct balancer charges them to (runs without one left out). */
function runsByBucket(measured: Measurements): Map<string, LimitedRunMeasured[]> {
  const byBucket = new Map<string, LimitedRunMeasured[]>();
  const limit = measured.rateLimit;
  if (!limit) return byBucket;
  for (const run of measured.limitedRuns ?? []) {
    const bucket = bucketOf(run, limit);
    if (bucket !== undefined) byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), run]);
  }
  return byBucket;
}

export const limitMistakes: readonly Mistake[] = [
  {
    id: 'rate-limit-per-instance',
    concept: 'rate limiting',
    title: 'Each instance of a fleet keeps buckets of its own',
    mistake:
      "The buckets stay in each instance's memory though the config names a shared store, so a fleet of N instances grants the limit N times.",
    shows:
      'Requests for one bucket, spread over several instances, passed well beyond the capacity and what could refill meanwhile.',
    rootCause:
      'The store setting is read but the limiter is built over an in-memory table, or each instance reads its own copy and writes the store only now and then.',
    fix: 'Take every token in the shared store, in one atomic step (a script the store runs: refill, take, write back), and decide by its answer.',
    scenarios: ['fleet-limit-holds-across-instances', 'fleet-limit-concurrent-clients-once'],
    signature(measured) {
      const limit = measured.rateLimit;
      if (!limit?.sharedStore) return 0;
      return [...runsByBucket(measured).values()].some((runs) => {
        const answers = runs.flatMap((run) => run.answers);
        const instances = new Set(answers.map((answer) => answer.via));
        if (instances.size < 2) return false;
        const times = answers.map((answer) => answer.sentAtMs);
        const spanSeconds = (Math.max(...times) - Math.min(...times)) / 1000;
        const granted = answers.filter((answer) => answer.status < 400).length;
        return granted > limit.capacity + Math.ceil(spanSeconds * limit.refillPerSecond) + 1;
      })
        ? 1
        : 0;
    },
  },
  {
    id: 'rate-limit-one-bucket-for-all',
    concept: 'rate limiting',
    title: 'One token bucket for every client',
    mistake:
      "All requests draw from a single bucket instead of one per key (client address, API key), so one client's burst limits everyone.",
    shows:
      'After one client was limited, another client, with a bucket of its own, was refused at its very first request.',
    rootCause: "The bucket was created once for the listener, not looked up in a table by the request's key.",
    fix: "Keep a table from key to bucket (bounded by maxKeys, least recently used out); take the key from the request as the config says, and charge only that key's bucket.",
    scenarios: [
      'ratelimit-client-address-has-bucket',
      'ratelimit-api-keys-have-buckets',
      'ratelimit-forged-x-forwarded-for-neither-dodges',
      'ratelimit-without-api-key-request',
    ],
    signature(measured) {
      const limit = measured.rateLimit;
      if (!limit || limit.key === 'global') return 0;
      return pairs(measured).some(
        ([earlier, later]) =>
          refused(earlier) &&
          firstRefused(later) &&
          bucketOf(later, limit) !== undefined &&
          bucketOf(later, limit) !== bucketOf(earlier, limit),
      )
        ? 1
        : 0;
    },
  },
  {
    id: 'rate-limit-trusts-any-forwarded-for',
    concept: 'rate limiting',
    title: 'X-Forwarded-For is believed from anyone',
    mistake:
      'The client address for the limit is read from X-Forwarded-For whoever sent it, not only from the trusted proxies.',
    shows:
      "A client that named another address in X-Forwarded-For spent that address's bucket: the named client was refused at its first request.",
    rootCause:
      'The header is client-supplied; only a proxy the config trusts may vouch for the address behind it.',
    fix: "Use the socket's peer address; take the last X-Forwarded-For entry only when the peer is one of trustedProxies.",
    scenarios: ['ratelimit-forged-x-forwarded-for-neither-dodges'],
    signature(measured) {
      const limit = measured.rateLimit;
      if (!limit) return 0;
      return pairs(measured).some(([earlier, later]) => {
        const named = earlier.headers.find(([name]) => name.toLowerCase() === 'x-forwarded-for')?.[1]?.trim();
        return (
          named !== undefined &&
          !limit.trustedProxies.includes(earlier.from) &&
          bucketOf(later, limit) === `address ${named}` &&
          firstRefused(later)
        );
      })
        ? 1
        : 0;
    },
  },
  {
    id: 'rate-limit-global-bucket-per-client',
    concept: 'rate limiting',
    title: 'A global limit gives each client a bucket of its own',
    mistake: 'The key "global" is treated like the client address, so every new client brings a full bucket.',
    shows:
      'Under a global limit, the clients together passed more requests than the one bucket holds (capacity plus what refilled meanwhile).',
    rootCause: 'The key lookup falls back to the client address for any key kind it does not recognise.',
    fix: 'For a global limit, charge every request to one bucket, whoever sends it.',
    scenarios: ['ratelimit-global-limit-bucket-client'],
    signature(measured) {
      const limit = measured.rateLimit;
      const runs = measured.limitedRuns ?? [];
      if (limit?.key !== 'global' || runs.length < 2) return 0;
      const times = runs.flatMap((run) => run.answers.map((answer) => answer.sentAtMs));
      const refilled = (limit.refillPerSecond * (Math.max(...times) - Math.min(...times))) / 1000;
      const total = runs.reduce((sum, run) => sum + passed(run), 0);
      return total > limit.capacity + Math.ceil(refilled) ? 1 : 0;
    },
  },
  {
    id: 'rate-limit-keyless-one-bucket',
    concept: 'rate limiting',
    title: 'Requests without their key all share one bucket',
    mistake:
      'A request missing the key header is charged to one bucket for all such requests (the empty key), not to its client address as whenMissing says.',
    shows:
      'After one client without the key was limited, another client without it was refused at its first request.',
    rootCause: 'The missing key became an empty string and was used as the key.',
    fix: 'When the key is missing, do what whenMissing says: key by the client address, or refuse with 401.',
    scenarios: ['ratelimit-without-api-key-request'],
    signature(measured) {
      const limit = measured.rateLimit;
      if (limit?.key !== 'header' || limit.whenMissing !== 'client-ip') return 0;
      const keyless = (run: LimitedRunMeasured) => bucketOf(run, limit)?.startsWith('address ') ?? false;
      return pairs(measured).some(
        ([earlier, later]) =>
          keyless(earlier) &&
          keyless(later) &&
          earlier.from !== later.from &&
          refused(earlier) &&
          firstRefused(later),
      )
        ? 1
        : 0;
    },
  },
  {
    id: 'rate-limit-never-refills',
    concept: 'rate limiting',
    title: 'The token bucket never refills',
    mistake: 'Tokens are taken but never added back, so a client once limited stays limited.',
    shows:
      'A limited client was still refused well after a token should have come back (one per 1 / refillPerSecond seconds).',
    rootCause:
      'The refill was meant to happen on a timer that was never started, or is computed from a timestamp that is never updated.',
    fix: 'On each request, add (now - lastRefill) x refillPerSecond tokens (capped at capacity) from a monotonic clock, then take one.',
    scenarios: ['ratelimit-exactly-capacity-passes-rest'],
    signature(measured) {
      const limit = measured.rateLimit;
      if (!limit || !(limit.refillPerSecond > 0)) return 0;
      const tokenMs = 1000 / limit.refillPerSecond;
      return (measured.limitedRuns ?? []).some((run) => {
        const first = run.answers[0];
        const lastAnswer = run.answers.at(-1);
        return (
          first !== undefined &&
          lastAnswer?.status === 429 &&
          // Sent well after a token was due (the bucket's clock starts about when the first arrived).
          lastAnswer.sentAtMs - first.sentAtMs > tokenMs + 200 &&
          run.answers.slice(limit.capacity).every((answer) => answer.status === 429)
        );
      })
        ? 1
        : 0;
    },
  },
  {
    id: 'rate-limit-skips-upgrades',
    concept: 'rate limiting',
    title: 'WebSocket upgrades go past the rate limit',
    mistake:
      'The limit is applied in the request handler, and upgrade requests take another path that never reaches it.',
    shows: 'A client opened more WebSocket upgrades than the capacity, and none was refused.',
    rootCause: "The server's upgrade event bypasses the request handler where the limit was checked.",
    fix: 'Check the limit for every request before it is forwarded, upgrades included (answer 429 on the raw socket).',
    scenarios: ['ratelimit-websocket-upgrade-spends-token'],
    signature(measured) {
      const statuses = measured.upgradeStatuses ?? [];
      const capacity = measured.rateLimit?.capacity;
      const upgraded = statuses.filter((status) => status === 101).length;
      return capacity !== undefined && upgraded > capacity && !statuses.includes(429) ? 1 : 0;
    },
  },
  {
    id: 'rate-limit-table-unbounded',
    concept: 'rate limiting',
    title: 'The table of buckets grows with every key it ever saw',
    mistake:
      'maxKeys is ignored: a bucket is kept for every key, so a flood of distinct keys grows memory without bound.',
    shows:
      "While thousands of distinct keys came in, the balancer's memory grew by at least half their bytes.",
    rootCause: 'A plain map with no eviction; keys are attacker-controlled, so its size is too.',
    fix: 'Bound the table at maxKeys and evict the least recently used bucket (a bucket evicted is as good as a full one for a client that comes back later).',
    scenarios: ['ratelimit-twenty-five-thousand-keys-do'],
    signature(measured) {
      const flood = measured.keyFlood;
      return flood && flood.grewBytes >= (flood.count * flood.keyBytes) / 2 ? 1 : 0;
    },
  },
];
