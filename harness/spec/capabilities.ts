import { isScenarioIdTag } from './scenario-id.ts';
import { isTaskTag } from './tasks.ts';

/**
 * Every capability a scenario may require, by tag name (without "@"), with what it means. A balancer
 * adapter declares the ones it supports; a scenario tagged with one it lacks is reported unsupported.
 */
export const capabilities = {
  l7: 'HTTP/1.1 listeners: one balancing decision per request',
  l4: 'TCP listeners: one balancing decision per connection',
  'round-robin': 'the round_robin algorithm: strict rotation in config order',
  'weighted-round-robin': 'the weighted_round_robin algorithm: smooth rotation in proportion to weights',
  'least-connections': 'the least_connections algorithm: fewest in flight relative to weight',
  'power-of-two-choices': 'the power_of_two_choices algorithm: the less loaded of two random backends',
  'load-aware-weights':
    'least_connections and power_of_two_choices over unequal weights: in-flight counts compared per unit of weight',
  random: 'the random algorithm: uniform over the backends',
  'consistent-hash':
    'the consistent_hash algorithm: a key from a header keeps its backend; changes move few keys',
  'hash-key-cookie': 'consistent_hash with "hashKey" from a cookie',
  'hash-key-query': 'consistent_hash with "hashKey" from a query parameter',
  'hash-key-path': 'consistent_hash with "hashKey" from the path',
  'hash-key-client-ip': 'consistent_hash with "hashKey" from the client\'s address',
  routing:
    'routes: host (exact, wildcard), path (exact, prefix on segments, patterns), method, header and query matches, one precedence',
  'traffic-split': 'route "split": a route shares its requests across pools by weight (canary)',
  rewrites: 'route "rewrite": matched prefix or whole path replaced, upstream Host set, query kept',
  redirects: 'route "redirect": 301/302/307/308 with Location built from the request, query kept',
  'header-rules': 'route "requestHeaders"/"responseHeaders": remove, set and add headers',
  'keyless-round-robin': 'consistent_hash: requests without a key take turns round robin',
  maglev: 'consistent_hash "hashMethod": "maglev": keys looked up in a Maglev table',
  'hash-bounded-load':
    'consistent_hash "hashBalanceFactor": a backend without room under bounded loads passes keys to the next on the ring',
  'sticky-sessions':
    'stickySession: an opaque, signed affinity cookie; forged ones are refused; shared across instances and restarts',
  'sticky-cookie-attributes':
    'stickySession "path", "httpOnly", "sameSite" and "maxAgeSeconds" become the cookie\'s attributes (defaults Path=/, HttpOnly, SameSite=Lax)',
  'sticky-unpinned-by-algorithm':
    "stickySession: a request without a valid cookie takes its turn in the pool's algorithm, not a backend drawn at random",
  'drain-ends-affinity':
    'a drained backend takes no request its sticky cookie pins to it: the client is balanced elsewhere and pinned anew',
  'runtime-membership':
    'backends join, drain ("drain": true), change weight and leave by reload, under traffic, failing nothing',
  'graceful-stop':
    'told to stop the way its adapter says (SIGTERM unless the adapter names another signal), it answers every request in flight in full, then exits on its own',
  'hitless-reload':
    'a new config is taken by a reload that drops no connection or request in flight (a restart does)',
  'rate-limit':
    'rateLimit: token buckets per client address, API key or for all; 429 with Retry-After and RateLimit headers',
  'shared-rate-limit-store':
    'rateLimit.store: buckets kept in a shared Redis, so a fleet of instances grants a limit once; "onFailure" open or closed while it fails',
  'tls-termination':
    'tls: HTTPS to clients with the inline certificate and key, TLS 1.2 and 1.3 down to minVersion, ALPN http/1.1 only, X-Forwarded-Proto https',
  'tls-sni':
    'tls.sni: more certificates, each chosen by the name a client asks for (a wildcard for one label), the default one otherwise',
  'tls-passthrough':
    'sniRoutes: a TCP listener relays TLS untouched to the pool its ClientHello server name routes to (a wildcard for one label)',
  'tls-upstream':
    "pool tls: TLS to the backends, their certificates checked against the pool's CA and serverName, sent as SNI; one that does not verify is a 502",
  'h2-over-tls':
    'listener http2 over TLS: ALPN selects h2; every stream of a connection balanced on its own; :authority becomes Host, cookie fields joined, upstream HTTP/1.1',
  'h2-upstream':
    'pool http2: HTTP/2 to the backends (h2c, or h2 over TLS), a stream per request, trailers passed on to the client',
  grpc: 'gRPC through an HTTP/2 listener and pool: balanced per call, grpc-status and trailers passed on, UNAVAILABLE for a dead backend, deadlines cancel the backend call',
  'h2-stream-limits':
    'HTTP/2 listeners advertise a limit on concurrent streams (at most 1000), refuse streams past it, and keep streams a client resets at once (rapid reset) from piling up at the backends',
  'h2-header-limits':
    "HTTP/2 listeners bound a request's header list as decoded (limits.maxHeaderBytes when given, their own bound of at most 1 MiB otherwise): an HPACK bomb and a header list past the limit are refused and reach no backend",
  'h2-continuation-limit':
    'HTTP/2 listeners cut off a header block that never ends (a CONTINUATION flood, CVE-2024-27316): its stream reset or the connection closed, nothing held without bound',
  h2c: 'listener http2 without TLS: HTTP/2 with prior knowledge and HTTP/1.1 on the same listener',
  'client-connection-limit':
    'limits.maxConnectionsPerClient: connections past it from one address are closed at once',
  'header-timeout': 'limits.headerTimeoutMs: headers not all in within it get 408 or a close (slowloris)',
  'size-limits': 'limits.maxHeaderBytes (431; over HTTP/2 the header list as decoded) and maxBodyBytes (413)',
  'request-timeout':
    'limits.requestTimeoutMs: a request not all in within it gets 408 or a close; its backend copy is abandoned',
  'request-smuggling':
    'ambiguous framing (Content-Length with Transfer-Encoding, two lengths, odd Transfer-Encoding, bad chunk sizes) refused, the connection closed, nothing smuggled through',
  'malformed-requests':
    'malformed request lines and header names, missing, repeated or invalid Host: 400; a bare CR refused or made a space',
  'request-line-limit': 'a request line over limits.maxHeaderBytes gets 414',
  'path-normalisation':
    'dot segments (also %2e) resolved and slashes merged before routing; the backend gets that path',
  'absolute-form': 'an absolute-form target is routed by its host and forwarded as a path with that Host',
  'idle-timeout': 'limits.idleTimeoutMs: an idle connection is closed',
  'idle-before-first-request':
    'limits.idleTimeoutMs also ends a connection that has sent no request yet (HTTP/2: an open session with no stream)',
  'idle-before-first-byte':
    'limits.idleTimeoutMs also ends a connection that has sent no byte at all (HTTP/1.1, and a cleartext listener waiting to tell HTTP/2 from HTTP/1.1)',
  'forwarded-headers':
    "X-Forwarded-For ends with the client's address, whatever the client sent; X-Forwarded-Proto and -Host set",
  'forwarded-for-chain':
    "an X-Forwarded-For chain a client sends is kept, the client's address appended (not dropped as an untrusted client's)",
  'hop-by-hop-headers':
    'Connection and the headers it names, Keep-Alive, TE, Proxy-Authorization stop at the balancer',
  streaming:
    'bodies streamed both ways: 100 MB up and down with Content-Length or chunked, in bounded memory',
  'keep-alive': 'client connections kept alive, upstream connections reused',
  websocket: 'WebSocket upgrades proxied end to end',
  'admin-api':
    'the admin endpoint: GET /healthz, /status, /metrics; 405 for other methods; with a token, 401 without it; never shows it',
  'reload-validation':
    'a reload with an invalid config is refused, the problems reported on GET /status, and the old config keeps serving',
  'keep-alive-races':
    'a request lost on a kept-alive connection the backend closed is sent again once if idempotent, never otherwise',
  'bad-gateway': '502 when a backend refuses or resets the connection before answering',
  'backend-faults':
    'answers a backend breaks off (reset, closed short of its length or last chunk) reach the client broken off, never whole; the balancer stays up',
  'non-http-answers':
    'an answer whose status line is not HTTP gets the client a 502, not the bytes as HTTP/0.9',
  'active-health-checks':
    'healthCheck: HTTP probes of a path at an interval with a timeout; a backend that fails them is taken out, one that passes them again put back',
  'health-check-thresholds':
    'healthCheck.unhealthyThreshold and healthyThreshold (fall and rise) above 1: that many probes in a row change a state, fewer change nothing',
  'tcp-health-checks': 'healthCheck "type": "tcp": a probe passes when a connection is accepted',
  'health-check-timeouts':
    'healthCheck.timeoutMs shorter than intervalMs: a probe answered later than timeoutMs fails, even within the interval',
  'initial-health-state':
    'healthCheck.initialState: a backend starting unhealthy gets nothing until its checks pass',
  'passive-health-checks':
    'outlierDetection: ejection after consecutive failures, growing and capped, bounded share',
  retries:
    'retries: a request whose backend cannot be connected to goes to another backend; POST only when nothing was sent',
  'retry-on-reset':
    'retries "retryOn": "reset" and "timeout": a backend that closes or does not answer before the answer head is retried',
  'retry-on-status': 'retries "retryOn" with statuses (e.g. 503): an answer with one of them is retried',
  'retry-non-idempotent': 'retries "retryNonIdempotent": a POST is retried also after it was sent',
  'retry-backoff': 'retries: exponential backoff with full jitter between attempts',
  'retry-budget': 'retries.budget: retries capped at a share of the traffic',
  timeouts: 'timeouts: 504 when a backend does not answer within responseMs',
  'connect-timeout': 'timeouts: 504 when a connection to a backend is not made within connectMs',
  'graceful-degradation': '503 with Retry-After, at once, when no backend is available',
  'circuit-breaker':
    'circuitBreaker: open after failures in a row, half-open trials, growing open time, a concurrency cap',
  'panic-threshold': 'panicThresholdPercent: below it, traffic spreads over every backend',
  'backup-pool': 'backupPool: a pool that takes traffic only while the primary has no backend available',
} as const satisfies Record<string, string>;

export type Capability = keyof typeof capabilities;

export const allCapabilities = Object.keys(capabilities) as Capability[];

/** The balancing algorithms, as capabilities. */
export const algorithmCapabilities: readonly Capability[] = [
  'round-robin',
  'weighted-round-robin',
  'least-connections',
  'power-of-two-choices',
  'random',
  'consistent-hash',
];

/** Where a consistent hash may take its key besides a header, as capabilities. */
export const hashKeyCapabilities: readonly Capability[] = [
  'hash-key-cookie',
  'hash-key-query',
  'hash-key-path',
  'hash-key-client-ip',
];

export function isCapability(name: string): name is Capability {
  return Object.hasOwn(capabilities, name);
}

/** What a balancer adapter declares: supported capabilities, and why it lacks the others. */
export interface DeclaredCapabilities {
  readonly supported: readonly Capability[];
  /** A one-line reason per capability it does not support, shown in reports. */
  readonly reasons: Readonly<Partial<Record<Capability, string>>>;
}

/**
 * Parses a declaration: "all", or a comma-separated list ("l7, round-robin"). Unknown names are an
 * error (a typo would otherwise silently turn scenarios into "unsupported").
 */
export function parseCapabilityList(text: string, source: string): Capability[] {
  if (text.trim() === 'all') return [...allCapabilities];
  const names = text
    .split(',')
    .map((name) => name.trim().replace(/^@/, ''))
    .filter(Boolean);
  const unknown = names.filter((name) => !isCapability(name));
  if (unknown.length > 0) {
    throw new Error(
      `${source}: unknown capabilities ${unknown.join(', ')}; known: ${allCapabilities.join(', ')} (or "all")`,
    );
  }
  return names as Capability[];
}

/** Declares `supported`; every other capability gets `defaultReason` unless `reasons` names one. */
export function declareCapabilities(
  supported: readonly Capability[],
  defaultReason: string,
  reasons: Partial<Record<Capability, string>> = {},
): DeclaredCapabilities {
  const all: Partial<Record<Capability, string>> = {};
  for (const capability of allCapabilities) {
    if (!supported.includes(capability)) all[capability] = reasons[capability] ?? defaultReason;
  }
  return { supported: [...supported], reasons: all };
}

/** Tags that group scenarios by topic (select them with --tags) and require nothing of a balancer. */
export const topicTags = {
  security: 'hostile clients: smuggling, malformed requests, paths that try to escape their route',
  robustness: 'faulty backends, reloads and long runs',
  'multi-instance': 'a fleet: several instances of the balancer from one config, traffic spread over them',
  tls: 'TLS: termination at the listener, and TLS to the backends',
  http2: 'HTTP/2 from clients: over TLS and in cleartext, balanced per stream',
} as const satisfies Record<string, string>;

const isTopic = (name: string): boolean => Object.hasOwn(topicTags, name);

/**
 * The capabilities a scenario needs, from its tags. Every tag must be a known capability or a task
 * (a typo like @round-robn must not silently drop a requirement), with at least one of each.
 */
export function requiredCapabilities(tags: readonly string[]): Capability[] {
  const names = tags.map((tag) => tag.replace(/^@/, ''));
  const unknown = names.filter(
    (name) => !isCapability(name) && !isTaskTag(name) && !isTopic(name) && !isScenarioIdTag(name),
  );
  if (unknown.length > 0) {
    throw new Error(
      `unknown tags ${unknown.map((n) => `@${n}`).join(', ')}: add them to harness/spec/capabilities.ts (capabilities or topicTags) or tasks.ts`,
    );
  }
  if (!names.some(isTaskTag)) throw new Error('the scenario has no @task-NN tag naming the task it grades');
  const required = names.filter(isCapability);
  if (required.length === 0) throw new Error('the scenario has no capability tag (e.g. @l7, @round-robin)');
  return required;
}
