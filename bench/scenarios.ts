import type { Capability } from '../harness/spec/capabilities.ts';
import type {
  ConfigDocument,
  ListenerDocument,
  PoolDocument,
  RouteDocument,
} from '../harness/spec/config-document.ts';

/** One load the bench puts on every target: what the balancer is configured with and how it is driven. */
export interface BenchScenario {
  readonly name: string;
  readonly what: string;
  readonly backends: number;
  readonly connections: number;
  /** The request path wrk sends. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The shortest round that measures it fairly, whatever --seconds asks. Node accepts one
   * connection per event-loop turn, so a burst of hundreds of connects keeps the last ones
   * waiting through the first second of a run; a short round lets that start decide the p99.
   */
  readonly minimumSeconds?: number;
  /** What a balancer must support to run it; others are listed as unsupported, with the reason. */
  readonly needs: readonly Capability[];
  /** It keeps its rate limit in a Redis the bench starts: `listener` is given its address. */
  readonly sharedStore?: boolean;
  /** Clients speak HTTPS: the listener terminates TLS with a certificate of the run's own CA. */
  readonly tls?: boolean;
  /** Clients speak HTTP/2 (over TLS, ALPN h2), driven by h2load with one stream per connection at a time. */
  readonly http2?: boolean;
  /** The listener's extras (routes, rate limit) and the pool's (health checks). */
  readonly listener?: (pool: string, storeAddress?: string) => Partial<ListenerDocument>;
  readonly pool?: Partial<PoolDocument>;
}

/** Routes that each match one path prefix; the bench's requests match the last one written. */
function prefixRoutes(count: number, pool: string): RouteDocument[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `service-${i}`,
    match: { path: { prefix: `/service-${i}` } },
    pool,
  }));
}

const hotPathNeeds: readonly Capability[] = [
  'l7',
  'round-robin',
  'routing',
  'active-health-checks',
  'rate-limit',
];

// Routes, a rate limit that never refuses (in the store when one is given) and health checks.
function hotPath(name: string, what: string): BenchScenario {
  return {
    name,
    what,
    backends: 2,
    connections: 50,
    path: '/service-99/item',
    needs: hotPathNeeds,
    listener: (pool, storeAddress) => ({
      routes: prefixRoutes(100, pool),
      rateLimit: {
        capacity: 1_000_000,
        refillPerSecond: 1_000_000,
        ...(storeAddress ? { store: { type: 'redis', address: storeAddress, timeoutMs: 1_000 } } : {}),
      },
    }),
    pool: { healthCheck: { type: 'http', path: '/', intervalMs: 1_000, timeoutMs: 500 } },
  };
}

export const benchScenarios: readonly BenchScenario[] = [
  {
    name: 'small-50',
    what: 'small responses (about 300 bytes), 50 connections, 2 backends',
    backends: 2,
    connections: 50,
    path: '/',
    needs: ['l7', 'round-robin'],
  },
  {
    name: 'small-200',
    what: 'small responses, 200 connections, 2 backends',
    backends: 2,
    connections: 200,
    path: '/',
    needs: ['l7', 'round-robin'],
    minimumSeconds: 10,
  },
  {
    name: 'body-1mb',
    what: '1 MiB responses, 20 connections, 2 backends',
    backends: 2,
    connections: 20,
    path: '/',
    headers: { 'x-body-bytes': String(1024 * 1024) },
    needs: ['l7', 'round-robin'],
  },
  {
    name: 'pool-20',
    what: 'small responses, 50 connections, 20 backends',
    backends: 20,
    connections: 50,
    path: '/',
    needs: ['l7', 'round-robin'],
  },
  {
    name: 'routes-1000',
    what: 'a table of 1,000 prefix routes, requests matching the last one, 50 connections',
    backends: 2,
    connections: 50,
    path: '/service-999/item',
    needs: ['l7', 'round-robin', 'routing'],
    listener: (pool) => ({ routes: prefixRoutes(1000, pool) }),
  },
  {
    name: 'https-50',
    what: 'small responses over TLS on kept-alive connections, 50 connections, 2 backends',
    backends: 2,
    connections: 50,
    path: '/',
    tls: true,
    needs: ['l7', 'round-robin', 'tls-termination'],
  },
  {
    name: 'tls-handshakes',
    what: 'a new TLS connection per request (Connection: close), 50 connections: handshakes per second',
    backends: 2,
    connections: 50,
    path: '/',
    headers: { connection: 'close' },
    tls: true,
    needs: ['l7', 'round-robin', 'tls-termination'],
  },
  {
    name: 'h2-50',
    what: 'small responses over HTTP/2 and TLS, 50 connections of one stream at a time, 2 backends (h2load)',
    backends: 2,
    connections: 50,
    path: '/',
    tls: true,
    http2: true,
    needs: ['l7', 'round-robin', 'tls-termination', 'h2-over-tls'],
  },
  hotPath(
    'hot-path',
    'health checks, 100 routes and a rate limit that never refuses, all on: the cost of the features',
  ),
  {
    ...hotPath(
      'hot-path-redis',
      'hot-path with its rate limit kept in Redis: the cost of a shared store per request',
    ),
    needs: [...hotPathNeeds, 'shared-rate-limit-store'],
    sharedStore: true,
  },
];

/** The neutral config of `scenario` over backends at `addresses`. */
export function benchConfig(
  scenario: BenchScenario,
  addresses: readonly string[],
  listenerAddress: string,
  adminAddress: string,
  storeAddress?: string,
  tls?: ListenerDocument['tls'],
): ConfigDocument {
  return {
    version: 1,
    admin: { address: adminAddress },
    listeners: [
      {
        name: 'bench',
        protocol: 'http',
        address: listenerAddress,
        pool: 'main',
        ...(tls ? { tls } : {}),
        ...(scenario.http2 ? { http2: true } : {}),
        ...scenario.listener?.('main', storeAddress),
      },
    ],
    pools: {
      main: {
        algorithm: 'round_robin',
        backends: addresses.map((address, i) => ({ id: `b${i + 1}`, address })),
        ...scenario.pool,
      },
    },
  };
}
