import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { dnsNamesOf } from '../../reference/src/l7/tls-termination.ts';
import { type Capability, declareCapabilities } from '../spec/capabilities.ts';
import {
  type ConfigDocument,
  healthCheckDefaults,
  type ListenerDocument,
  listenerTlsDefaults,
  type PoolDocument,
  stickySessionDefaults,
} from '../spec/config-document.ts';
import { caddyRoute } from './caddy-routes.ts';
import { productVersion } from './installed.ts';
import { type ConfigTranslator, ProcessAdapter, type RenderContext } from './process-adapter.ts';
import { inPrecedenceOrder } from './route-order.ts';
import { tlsPaths } from './tls-files.ts';

/** The admin API's socket, in the run directory: parallel scenarios each have their own. */
const adminSocket = (directory: string) => join(directory, 'caddy-admin.sock');

/**
 * Caddy (2.6 from Debian) started by hand with `caddy run` on a JSON config the adapter writes;
 * reloads through its admin API (POST /load on a unix socket in the run directory), which applies
 * a config gracefully or refuses it. Its system service, if the package started one, is not used.
 */
export function caddyAdapter(): ProcessAdapter {
  return new ProcessAdapter({
    name: 'caddy',
    describe: async () => ({
      name: 'caddy',
      version: productVersion('caddy', ['version'], /v?(\d+\.\d+\.\d+)/, 'caddy'),
      capabilities: declareCapabilities(caddySupported, 'not expressible in Caddy 2.6', caddyReasons),
    }),
    commandLine: (configPath) => ({ command: 'caddy', args: ['run', '--config', configPath] }),
    reload: { kind: 'request', send: loadThroughAdminApi },
    reportsConfigHash: true,
    translator: caddyTranslator,
  });
}

const caddySupported: readonly Capability[] = [
  'l7',
  'round-robin',
  'least-connections',
  'random',
  'timeouts',
  'forwarded-headers',
  'hop-by-hop-headers',
  'keep-alive',
  'streaming',
  'websocket',
  'bad-gateway',
  'runtime-membership',
  'drain-ends-affinity',
  'sticky-sessions',
  'consistent-hash',
  'hash-key-client-ip',
  'hitless-reload',
  'graceful-stop',
  'tls-termination',
  'tls-upstream',
  'tls-sni',
  'h2-over-tls',
  'h2-stream-limits',
  'h2-header-limits',
  'h2c',
  'h2-upstream',
  'grpc',
  'routing',
  'header-rules',
  'rewrites',
  'redirects',
  'idle-timeout',
  'idle-before-first-request',
  'active-health-checks',
  'health-check-timeouts',
  'graceful-degradation',
  'malformed-requests',
  'absolute-form',
  'keep-alive-races',
  'non-http-answers',
];

const caddyReasons: Partial<Record<Capability, string>> = {
  'idle-before-first-byte':
    "Caddy's idle_timeout starts only after a request; a connection that never sends a byte waits for read_header_timeout, else for ever (seen with 2.6: not closed within 4 s under idle_timeout 1 s, HTTP/1.1 and h2c alike)",
  l4: "Caddy 2.6 proxies HTTP only; layer 4 needs the caddy-l4 plugin, which Debian's package lacks",
  'forwarded-for-chain':
    'Caddy (since 2.5) drops the X-Forwarded-For a client outside trusted_proxies sends and sends the client address alone',
  'weighted-round-robin': 'Caddy 2.6 has no weights (weighted_round_robin came in 2.8)',
  'load-aware-weights': 'Caddy 2.6 has no weights: least_conn counts requests alone',
  'health-check-thresholds': 'Caddy 2.6 acts on one probe (health_passes and health_fails came in 2.7)',
  'keyless-round-robin': "Caddy's header and cookie hashing picks at random when the key is missing",
  maglev: 'Caddy hashes by rendezvous (highest random weight), not a Maglev table',
  'hash-bounded-load': 'Caddy has no bounded loads for hashing',
  retries:
    'Caddy 2.6 retries a GET whose backend refused it, but not a POST (retry_match), and a POST it is made to retry hangs: its body was not kept',
  'retry-budget': 'Caddy has no retry budget',
  'retry-backoff': 'Caddy waits a fixed try_interval between attempts, without exponential backoff',
  'circuit-breaker': 'Caddy 2.6 has no circuit breaker module in the standard build',
  'rate-limit': 'Caddy has no rate limiting in the standard build (a plugin)',
  'shared-rate-limit-store': 'Caddy has no rate limiting in the standard build (a plugin)',
  'admin-api':
    "the admin endpoint is the spec's own API; Caddy's admin API serves its config, without the spec's status or metrics",
  'reload-validation':
    'the adapter translates only valid neutral configs, so an invalid one never reaches Caddy (which keeps its old config on a failed load)',
  'panic-threshold': 'Caddy has no panic mode',
  'power-of-two-choices':
    'random_choose 2 may draw the same upstream twice, so the busier of two backends still gets new requests',
  'connect-timeout': 'Caddy answers 502, not 504, when a connection to a backend times out',
  'traffic-split': 'Caddy has no weighted split of a route between pools',
  'client-connection-limit': 'Caddy has no limit on the connections of one client address (standard build)',
  'header-timeout':
    "with read_header_timeout, Go's server in Caddy 2.6 answered 400, not 408 or a bare close, to headers cut off in the middle of a line, and once a whole request sent over 400 ms with the timeout at 1 s (seen)",
  'request-timeout':
    'with read_timeout cutting off a body that never finished, Caddy 2.6 still sent the client a 200 answer before closing (seen)',
  'size-limits':
    "Caddy 2.6 answers 502, not 413, to a body over request_body's max_size (caddyserver/caddy#4558, #5652)",
  'request-line-limit':
    'Go counts the request line in max_header_bytes and answers 431, not 414, to a long target (seen)',
  'request-smuggling':
    "Go's server in Caddy 2.6 takes Transfer-Encoding over Content-Length and keeps the connection open afterwards, and a chunk size that is not hex fails while the body is forwarded: 502, not 400 (seen)",
  'path-normalisation':
    'Caddy matches routes on the cleaned path but forwards the path as sent, dot segments and doubled slashes included (seen)',
  'backend-faults':
    "when a backend's chunked answer breaks off, Caddy 2.6 ends it with a last chunk of its own, so the client takes the cut body as whole (seen)",
  'tcp-health-checks': "Caddy 2.6's active health checks are HTTP requests; there is no TCP probe",
  'initial-health-state':
    'Caddy 2.6 counts an upstream healthy until a check fails; no starting state can be set',
  'passive-health-checks':
    "Caddy's passive checks mark an upstream down for a fixed fail_duration after max_fails: no growing ejection, no cap on the share ejected",
  'backup-pool': 'Caddy 2.6 has no backup upstreams: a reverse_proxy chooses among its own upstreams only',
  'retry-on-reset': 'see retries: Caddy 2.6 cannot send a POST body again',
  'retry-on-status': 'Caddy 2.6 retries failed connections and round trips, never an answer for its status',
  'retry-non-idempotent': 'see retries: Caddy 2.6 cannot send a POST body again',
  'sticky-cookie-attributes':
    "Caddy 2.6's cookie policy sets Path=/ and nothing else the config asks for: no Max-Age, HttpOnly or SameSite",
  'sticky-unpinned-by-algorithm':
    "Caddy 2.6's cookie policy sends a request without a valid cookie to a random upstream, not by the pool's algorithm (the fallback setting came in 2.7)",
  'hash-key-cookie': 'Caddy 2.6 hashes a header, the client address or the whole URI, not a cookie value',
  'hash-key-query': 'Caddy 2.6 hashes the whole URI (uri_hash), not one query parameter',
  'hash-key-path': 'Caddy 2.6 hashes the whole URI, query included (uri_hash), not the path alone',
  'h2-continuation-limit':
    "Debian's Caddy 2.6.2 is built with Go 1.19.8, whose HTTP/2 server reads a header block that never ends to its end, discarding it (CVE-2023-45288, fixed in Go 1.21.9): 64 MiB of CONTINUATION frames without a reset or a close (seen)",
};

export const caddyTranslator: ConfigTranslator = { fileName: 'caddy.json', render: renderCaddyConfig };

// Caddy's selection policies for the neutral algorithms it has.
const policies: Readonly<Record<string, Record<string, unknown>>> = {
  round_robin: { policy: 'round_robin' },
  least_connections: { policy: 'least_conn' },
  random: { policy: 'random' },
  power_of_two_choices: { policy: 'random_choose', choose: 2 },
};

/** The caddy.json for a neutral config. Pure: the same config and context give the same text. */
export function renderCaddyConfig(config: ConfigDocument, { directory, configHash }: RenderContext): string {
  const servers: Record<string, unknown> = {};
  for (const listener of config.listeners) {
    if (listener.protocol !== 'http') throw new Error(`caddy adapter: listener "${listener.name}" is TCP`);
    const poolNamed = (name: string): PoolDocument => {
      const pool = config.pools[name];
      if (!pool) throw new Error(`caddy adapter: listener "${listener.name}" names no pool "${name}"`);
      return pool;
    };
    servers[`listener-${listener.name}`] = {
      listen: [listener.address],
      automatic_https: { disable: true },
      ...serverTls(listener),
      ...serverProtocols(listener),
      ...serverLimits(listener),
      routes: [
        ...inPrecedenceOrder(listener.routes ?? []).map((route) =>
          caddyRoute(route, poolNamed, reverseProxy),
        ),
        listener.pool === undefined
          ? { handle: [staticAnswer(404, 'text/plain', 'no route matches this request\n')] }
          : { handle: [reverseProxy(poolNamed(listener.pool))] },
      ],
      errors: { routes: errorAnswers },
    };
  }
  if (config.admin) {
    const body = JSON.stringify({ configHash });
    servers.status = {
      listen: [config.admin.address],
      automatic_https: { disable: true },
      routes: [
        { match: [{ path: ['/status'] }], handle: [staticAnswer(200, 'application/json', body)] },
        { match: [{ path: ['/healthz'] }], handle: [staticAnswer(200, 'text/plain', 'ok')] },
        { handle: [staticAnswer(404, 'text/plain', 'not found')] },
      ],
    };
  }
  const document = {
    // The API checks the Host header of every request; node sends the socket's "localhost".
    admin: { listen: `unix/${adminSocket(directory)}`, origins: ['localhost'], config: { persist: false } },
    logging: { logs: { default: { level: 'ERROR' } } },
    storage: { module: 'file_system', root: join(directory, 'storage') },
    apps: { http: { servers }, ...tlsApp(config, directory) },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

// Each TLS listener's certificates, loaded from the files the adapter writes and tagged with the
// listener's name (and the tls.sni entry's index), so that its connection policies pick them.
const certificateTag = (listener: ListenerDocument, sniIndex?: number) =>
  `lbspec-${listener.name}${sniIndex === undefined ? '' : `-sni-${sniIndex}`}`;

/**
 * The protocols a listener speaks: HTTP/1.1, and with http2 HTTP/2 too, over ALPN (h2) or by prior
 * knowledge (h2c); never HTTP/3, which Caddy would otherwise offer over TLS.
 */
function serverProtocols(listener: ListenerDocument): Record<string, unknown> {
  if (listener.http2) return { protocols: ['h1', listener.tls ? 'h2' : 'h2c'] };
  return listener.tls ? { protocols: ['h1'] } : {};
}

/**
 * A TLS listener's certificates: a connection policy per tls.sni certificate, matched by its
 * names, then the default certificate's for every other name.
 */
function serverTls(listener: ListenerDocument): Record<string, unknown> {
  if (!listener.tls) return {};
  const minimum =
    (listener.tls.minVersion ?? listenerTlsDefaults.minVersion) === 'TLSv1.3' ? 'tls1.3' : 'tls1.2';
  const policy = (tag: string, names?: string[]) => ({
    ...(names ? { match: { sni: names } } : {}),
    certificate_selection: { any_tag: [tag] },
    protocol_min: minimum,
  });
  return {
    tls_connection_policies: [
      ...(listener.tls.sni ?? []).map(({ certificate }, index) =>
        policy(certificateTag(listener, index), dnsNamesOf(certificate)),
      ),
      policy(certificateTag(listener)),
    ],
  };
}

function tlsApp(config: ConfigDocument, directory: string): Record<string, unknown> {
  const files = config.listeners.flatMap((listener) => {
    if (!listener.tls) return [];
    const loaded = (index?: number) => {
      const paths = tlsPaths(directory, listener.name, index);
      return { certificate: paths.certificate, key: paths.key, tags: [certificateTag(listener, index)] };
    };
    return [loaded(), ...(listener.tls.sni ?? []).map((_, index) => loaded(index))];
  });
  return files.length === 0 ? {} : { tls: { certificates: { load_files: files } } };
}

function reverseProxy(pool: PoolDocument, upstreamHost?: string): Record<string, unknown> {
  const algorithm = pool.algorithm ?? 'round_robin';
  const policy = pool.stickySession
    ? cookiePolicy(pool.stickySession)
    : algorithm === 'consistent_hash'
      ? hashPolicy(pool)
      : policies[algorithm];
  if (!policy) throw new Error(`caddy adapter: algorithm "${algorithm}" is not translated`);
  return {
    handler: 'reverse_proxy',
    upstreams: pool.backends
      .filter((backend) => !backend.drain)
      .map((backend) => ({ dial: backend.address })),
    load_balancing: { selection_policy: policy },
    ...(pool.healthCheck === undefined
      ? {}
      : { health_checks: { active: activeHealthCheck(pool.healthCheck) } }),
    // Only the backend's copy of the request: X-Forwarded-Host keeps the host the client asked for.
    ...(upstreamHost === undefined ? {} : { headers: { request: { set: { Host: [upstreamHost] } } } }),
    transport: {
      protocol: 'http',
      // HTTP/2 to the backends: over TLS by ALPN, in cleartext with prior knowledge (h2c).
      ...(pool.http2 ? { versions: [pool.tls ? '2' : 'h2c'] } : {}),
      ...(pool.tls === undefined
        ? {}
        : {
            // Caddy 2.6 takes the CA certificates inline as base64 DER: the PEM's own body.
            tls: { root_ca_pool: pemBodies(pool.tls.ca), server_name: pool.tls.serverName },
          }),
      ...(pool.timeouts?.connectMs === undefined ? {} : { dial_timeout: `${pool.timeouts.connectMs}ms` }),
      ...(pool.timeouts?.responseMs === undefined
        ? {}
        : {
            response_header_timeout: `${pool.timeouts.responseMs}ms`,
            // Also the longest pause in the middle of an answer's body (the schema's responseMs).
            read_timeout: `${pool.timeouts.responseMs}ms`,
          }),
    },
  };
}

/** The base64 DER of each certificate in a PEM text. */
function pemBodies(pem: string): string[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/g)].map((match) =>
    (match[1] as string).replace(/\s+/g, ''),
  );
}

// Caddy hashes a header or the client address onto its upstreams by rendezvous hashing, which
// moves only the keys of an upstream that leaves and gives a newcomer only its own.
function hashPolicy(pool: PoolDocument): Record<string, unknown> {
  const key = pool.hashKey;
  if (pool.hashMethod === 'maglev' || pool.hashBalanceFactor !== undefined)
    throw new Error('caddy adapter: Caddy hashes by rendezvous only, without bounded loads');
  if (key?.from === 'header') return { policy: 'header', field: key.name };
  if (key?.from === 'client-ip') return { policy: 'ip_hash' };
  throw new Error(`caddy adapter: Caddy 2.6 cannot hash a key from ${key ? `"${key.from}"` : 'nowhere'}`);
}

// Caddy's cookie policy: the cookie pins to the upstream whose HMAC (under the secret) it holds;
// a request without a valid one goes to a random upstream, whatever the pool's algorithm.
function cookiePolicy(sticky: NonNullable<PoolDocument['stickySession']>): Record<string, unknown> {
  return { policy: 'cookie', name: sticky.cookie ?? stickySessionDefaults.cookie, secret: sticky.secret };
}

/**
 * Caddy 2.6 probes over HTTP, expects one status (or one class), and acts on a single probe: a
 * check with thresholds other than 1, a TCP probe or a starting state has no translation.
 */
function activeHealthCheck(check: NonNullable<PoolDocument['healthCheck']>): Record<string, unknown> {
  const {
    type = 'http',
    path = healthCheckDefaults.path,
    expectedStatuses = healthCheckDefaults.expectedStatuses,
  } = check;
  const untranslatable = [
    type !== 'http' && `a ${type} probe`,
    (check.healthyThreshold ?? healthCheckDefaults.healthyThreshold) !== 1 &&
      'a healthy threshold other than 1',
    (check.unhealthyThreshold ?? healthCheckDefaults.unhealthyThreshold) !== 1 &&
      'an unhealthy threshold other than 1',
    check.initialState !== undefined && 'a starting state',
    expectedStatuses.length !== 1 && 'more than one expected status',
  ].filter(Boolean);
  if (untranslatable.length > 0)
    throw new Error(
      `caddy adapter: a health check with ${untranslatable.join(', ')} has no Caddy 2.6 equivalent`,
    );
  return {
    uri: path,
    interval: `${check.intervalMs ?? healthCheckDefaults.intervalMs}ms`,
    timeout: `${check.timeoutMs ?? healthCheckDefaults.timeoutMs}ms`,
    expect_status: expectedStatuses[0],
  };
}

/**
 * The listener's client limits that Caddy 2.6 honours as the spec states them: the idle timeout.
 * The others were tried and fall short (see the reasons above), so they are not translated.
 */
function serverLimits({ name, limits = {} }: ListenerDocument): Record<string, unknown> {
  const { idleTimeoutMs, ...others } = limits;
  const untranslated = Object.keys(others);
  if (untranslated.length > 0)
    throw new Error(
      `caddy adapter: listener "${name}": ${untranslated.join(', ')} not translated (see the adapter's reasons)`,
    );
  return idleTimeoutMs === undefined ? {} : { idle_timeout: `${idleTimeoutMs}ms` };
}

/**
 * What Caddy answers when a handler fails: every backend unavailable is the spec's 503 with
 * Retry-After and a body; any other error keeps its status.
 */
const errorAnswers = [
  {
    match: [{ expression: '{http.error.status_code} == 503' }],
    handle: [
      {
        handler: 'static_response',
        status_code: 503,
        headers: { 'Retry-After': ['1'], 'Content-Type': ['text/plain'] },
        body: 'no backend is available\n',
      },
    ],
    terminal: true,
  },
  { handle: [{ handler: 'static_response', status_code: '{http.error.status_code}' }] },
];

function staticAnswer(status: number, contentType: string, body: string): Record<string, unknown> {
  return {
    handler: 'static_response',
    status_code: status,
    headers: { 'Content-Type': [contentType] },
    body,
  };
}

/** POST /load with the new config on the admin socket; Caddy answers once it has applied it. */
async function loadThroughAdminApi(configPath: string, directory: string): Promise<void> {
  const body = await readFile(configPath);
  await new Promise<void>((resolve, reject) => {
    const load = request(
      {
        socketPath: adminSocket(directory),
        path: '/load',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (answer) => {
        let text = '';
        answer.setEncoding('utf8');
        answer.on('data', (chunk: string) => {
          text += chunk;
        });
        answer.on('end', () =>
          answer.statusCode === 200
            ? resolve()
            : reject(new Error(`caddy refused the new config (${answer.statusCode}): ${text.trim()}`)),
        );
      },
    );
    load.on('error', (error) =>
      reject(new Error(`caddy's admin API did not take the config: ${error.message}`)),
    );
    load.end(body);
  });
}
