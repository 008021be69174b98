import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { algorithmCapabilities, declareCapabilities, hashKeyCapabilities } from '../spec/capabilities.ts';
import {
  type ConfigDocument,
  healthCheckDefaults,
  type ListenerDocument,
  listenerTlsDefaults,
  type PoolDocument,
  stickySessionDefaults,
  timeoutDefaults,
} from '../spec/config-document.ts';
import { routedFrontendLines } from './haproxy-routes.ts';
import { productVersion } from './installed.ts';
import { type ConfigTranslator, ProcessAdapter, type RenderContext } from './process-adapter.ts';
import { poolCaPath, tlsPaths } from './tls-files.ts';

/**
 * HAProxy (2.6 from Debian) started by hand in master-worker mode in the foreground; reloads with
 * SIGUSR2 to the master, which re-reads the file and hands the listeners to a new worker.
 */
export function haproxyAdapter(): ProcessAdapter {
  return new ProcessAdapter({
    name: 'haproxy',
    describe: async () => ({
      name: 'haproxy',
      version: productVersion('haproxy', ['-v'], /HAProxy version (\S+)/, 'haproxy'),
      capabilities: declareCapabilities(
        [
          'l7',
          'l4',
          ...algorithmCapabilities.filter((capability) => capability !== 'power-of-two-choices'),
          ...hashKeyCapabilities,
          'load-aware-weights',
          'active-health-checks',
          'health-check-thresholds',
          'tcp-health-checks',
          'forwarded-headers',
          'forwarded-for-chain',
          'retries',
          'retry-on-reset',
          'retry-on-status',
          'retry-non-idempotent',
          'timeouts',
          'graceful-degradation',
          'backup-pool',
          'sticky-sessions',
          'sticky-cookie-attributes',
          'sticky-unpinned-by-algorithm',
          'runtime-membership',
          'hitless-reload',
          'graceful-stop',
          'tls-termination',
          'tls-upstream',
          'tls-sni',
          'tls-passthrough',
          'h2-over-tls',
          'h2-stream-limits',
          'h2-header-limits',
          'h2-continuation-limit',
          'h2c',
          'h2-upstream',
          'grpc',
          'client-connection-limit',
          'header-timeout',
          'idle-timeout',
          'routing',
          'traffic-split',
          'rewrites',
          'redirects',
          'header-rules',
          'streaming',
          'keep-alive',
          'websocket',
          'request-smuggling',
          'backend-faults',
          'non-http-answers',
          'hash-bounded-load',
        ],
        'not expressible in HAProxy 2.6',
        {
          'power-of-two-choices':
            'balance random(2) may draw the same server twice, so the busier of two servers still gets new requests (seen: 23 of 60)',
          'drain-ends-affinity':
            'a server drained to weight 0 still takes the clients its cookie pins (drain mode keeps persistent traffic; seen)',
          'health-check-timeouts':
            'HAProxy 2.6 fails a check answered late only after inter: with timeoutMs 100 and intervalMs 400, an answer after 150 ms passed (seen)',
          'passive-health-checks':
            'observe layer7 marks a server down until its checks pass: no timed, growing ejection',
          'retry-backoff': 'HAProxy retries without exponential, jittered backoff',
          'retry-budget': 'HAProxy has no retry budget',
          'bad-gateway':
            'HAProxy answers 503 when a server refuses the connection, and closes the client connection instead of answering 502 after some resets',
          'connect-timeout': 'HAProxy answers 503, not 504, when a connection to a server times out',
          'panic-threshold': 'HAProxy has no panic mode',
          'idle-before-first-byte':
            "HAProxy waits timeout http-request (else timeout client) for a connection's first bytes; timeout http-keep-alive only starts after an answer (seen: not closed within 4 s under an idle timeout of 1 s, HTTP/1.1 and h2c alike)",
          'idle-before-first-request':
            "HAProxy waits timeout http-request (else timeout client) for a connection's first request; timeout http-keep-alive only starts after an answer (seen with an HTTP/2 connection)",
          'rate-limit':
            'stick tables count requests in a sliding window (refused ones too), not tokens that refill; no RateLimit headers',
          'shared-rate-limit-store':
            "peers push stick-table entries that overwrite each other's values without adding them up, so each instance counts alone (a sum needs HAProxy Enterprise's aggregator)",
          'size-limits':
            'HAProxy answers 400, not 431, to headers over tune.bufsize, and checks a body size only on a buffered body',
          maglev: 'HAProxy has a consistent tree and map-based hashing, no Maglev table',
          'keyless-round-robin':
            'with hash-type consistent a request without the key walks the hash tree: uneven, not in turns (seen 12/14/3/11 of 40)',
          'admin-api':
            "the admin endpoint is the spec's own API; HAProxy has its stats page and runtime socket",
          'reload-validation':
            'the adapter translates only valid neutral configs, so an invalid one never reaches HAProxy (which keeps its old config on a failed reload)',
          'keep-alive-races':
            'with retries off (the neutral default) a GET lost on a reused server connection fails, and a lost POST has its client connection closed instead of a 502',
          'request-timeout':
            'timeout http-request covers a body only with option http-buffer-request, and then only until the buffer (tune.bufsize) is full: a slow body larger than that is never cut off',
          'malformed-requests': 'HAProxy passes a Host with a path or a space in it on to the server',
          'request-line-limit':
            'HAProxy answers 400, not 414, to a request line longer than tune.bufsize (seen)',
          'path-normalisation':
            'normalize-uri (path-strip-dotdot, path-merge-slashes) is experimental in HAProxy 2.6 (expose-experimental-directives)',
          'absolute-form': 'HAProxy forwards an absolute-form target to the server as it came',
          'hop-by-hop-headers':
            'HAProxy passes Keep-Alive, TE, Proxy-Authorization and the headers Connection names on to the server',
          'circuit-breaker':
            'HAProxy has no breaker state machine; a server maxconn queues the excess instead of answering 503 at once',
        },
      ),
    }),
    commandLine: (configPath) => ({ command: 'haproxy', args: ['-W', '-db', '-f', configPath] }),
    reload: { kind: 'signal', signal: 'SIGUSR2' },
    // SIGUSR1 is HAProxy's soft stop (the master passes it to its workers); SIGTERM stops at once.
    stopSignal: 'SIGUSR1',
    reportsConfigHash: true,
    translator: haproxyTranslator,
  });
}

export const haproxyTranslator: ConfigTranslator = { fileName: 'haproxy.cfg', render: renderHaproxyConfig };

/**
 * The haproxy.cfg for a neutral config. Pure. A pool used by both HTTP and TCP listeners becomes two
 * backends (HAProxy's mode is per backend), each with its own rotation.
 */
export function renderHaproxyConfig(
  config: ConfigDocument,
  { directory, configHash }: RenderContext,
): string {
  const lines = [
    `# generated by lbspec from the neutral config sha256 ${configHash}`,
    'global',
    '  maxconn 8192',
    `  pidfile ${join(directory, 'haproxy.pid')}`,
    'defaults',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
  ];
  if (config.admin) {
    lines.push(
      'frontend admin',
      '  mode http',
      `  bind ${config.admin.address}`,
      `  http-request return status 200 content-type application/json string '{"configHash":"${configHash}"}' if { path /status }`,
      "  http-request return status 200 content-type text/plain string 'ok' if { path /healthz }",
      '  http-request deny deny_status 404',
    );
  }
  const backends = new Set<string>();
  for (const listener of config.listeners) {
    const backendOf = (pool: string): string => {
      backends.add(`${listener.protocol}_${pool}`);
      return `${listener.protocol}_${pool}`;
    };
    if (listener.routes !== undefined) {
      lines.push(
        `frontend listener_${listener.name}`,
        '  mode http',
        bindLine(listener, directory),
        ...forwardingLines,
        ...routedFrontendLines(listener, backendOf),
      );
      continue;
    }
    const backend = backendOf(listener.pool as string);
    lines.push(
      `frontend listener_${listener.name}`,
      `  mode ${listener.protocol}`,
      bindLine(listener, directory),
      ...clientLimitLines(listener),
      ...(listener.protocol === 'http' ? forwardingLines : []),
      ...sniRouteLines(listener, backendOf),
      `  default_backend ${backend}`,
    );
  }
  for (const backend of backends) {
    const [mode, ...rest] = backend.split('_');
    const pool = config.pools[rest.join('_')] as PoolDocument;
    const backup = pool.backupPool === undefined ? undefined : config.pools[pool.backupPool];
    const translation = balanceOf(pool);
    const http = mode === 'http';
    lines.push(`backend ${backend}`, `  mode ${mode}`, `  balance ${translation.balance}`);
    lines.push(...stickyLines(pool));
    // default-server applies to the servers declared after it.
    lines.push(...healthCheckLines(pool));
    const check = `${pool.healthCheck ? ' check' : ''}${serverTls(pool, rest.join('_'), directory)}${serverHttp2(pool)}`;
    const hashed = pool.algorithm === 'consistent_hash';
    for (const server of pool.backends) {
      // A draining server gets weight 0: no new requests; the old process finishes those in flight.
      const weight = server.drain
        ? 0
        : translation.weighted
          ? (server.weight ?? 1)
          : (translation.equalWeight ?? 1);
      // A consistent hash places a server's nodes by its numeric id, which HAProxy otherwise
      // numbers in config order (removing one would renumber the rest, moving their keys), and
      // puts 16 nodes per unit of weight (16 per server spread keys 2:1); both are fixed here.
      const scaled = hashed ? weight * 16 : weight;
      const id = hashed ? ` id ${stableServerId(server.id)}` : '';
      const cookie = pool.stickySession
        ? ` cookie ${affinityValue(pool.stickySession.secret, rest.join('_'), server.id)}`
        : '';
      lines.push(
        `  server ${server.id} ${server.address}${scaled === 1 ? '' : ` weight ${scaled}`}${id}${cookie}${check}`,
      );
    }
    // HAProxy uses backup servers only while every other server is down: the neutral backupPool.
    for (const server of backup?.backends ?? []) {
      lines.push(`  server backup_${server.id} ${server.address} backup`);
    }
    lines.push(
      ...timeoutLines(pool),
      ...retryLines(pool, http),
      // With every server down HAProxy answers 503 itself; the spec wants a Retry-After on it.
      ...(http
        ? ['  http-error status 503 content-type text/plain string "no server available" hdr Retry-After 1']
        : []),
    );
  }
  return `${lines.join('\n')}\n`;
}

// The client limits HAProxy meets exactly: connections per address through a stick table (the
// extra one is rejected at once, unanswered), the headers timeout (408) and the idle timeout.
function clientLimitLines(listener: ConfigDocument['listeners'][number]): string[] {
  const limits = listener.limits;
  if (!limits) return [];
  if (limits.maxHeaderBytes !== undefined || limits.maxBodyBytes !== undefined)
    throw new Error('haproxy adapter: header and body size limits are not translated');
  const lines: string[] = [];
  if (limits.maxConnectionsPerClient !== undefined) {
    lines.push(
      '  stick-table type ip size 100k store conn_cur',
      '  tcp-request connection track-sc0 src',
      `  tcp-request connection reject if { sc0_conn_cur gt ${limits.maxConnectionsPerClient} }`,
    );
  }
  if (limits.headerTimeoutMs !== undefined) lines.push(`  timeout http-request ${limits.headerTimeoutMs}ms`);
  if (limits.idleTimeoutMs !== undefined) {
    lines.push(
      listener.protocol === 'http'
        ? `  timeout http-keep-alive ${limits.idleTimeoutMs}ms`
        : `  timeout client ${limits.idleTimeoutMs}ms`,
    );
  }
  return lines;
}

/**
 * A passthrough listener's backend by the server name of the client's ClientHello, which it waits
 * for (up to 5 s; a client that sends none by then goes to the default backend). The first route
 * that names it wins; a wildcard stands for one label.
 */
function sniRouteLines(listener: ListenerDocument, backendOf: (pool: string) => string): string[] {
  if (!listener.sniRoutes) return [];
  const condition = (name: string) =>
    name.startsWith('*.')
      ? `{ req_ssl_sni -m reg -i ^[^.]+${name.slice(1).replaceAll('.', '\\.')}$ }`
      : `{ req_ssl_sni -i ${name} }`;
  return [
    '  tcp-request inspect-delay 5s',
    '  tcp-request content accept if { req_ssl_hello_type 1 }',
    ...listener.sniRoutes.map(
      (route) => `  use_backend ${backendOf(route.pool)} if ${route.serverNames.map(condition).join(' || ')}`,
    ),
  ];
}

/** HTTP/2 to a server: chosen over ALPN with TLS, spoken outright (h2c) without. */
function serverHttp2(pool: PoolDocument): string {
  if (!pool.http2) return '';
  return pool.tls ? ' alpn h2' : ' proto h2';
}

/** A server's TLS to it (health checks too): the pool's CA, its name sent as SNI and checked. */
function serverTls(pool: PoolDocument, poolName: string, directory: string): string {
  if (!pool.tls) return '';
  const name = pool.tls.serverName;
  return ` ssl verify required ca-file ${poolCaPath(directory, poolName)} sni str(${name}) verifyhost ${name}`;
}

/**
 * A listener's bind line; behind TLS with its certificate, minimum version and http/1.1 (h2 first
 * with http2) over ALPN. A cleartext bind in mode http takes HTTP/2 with prior knowledge by itself,
 * telling it from HTTP/1.1 by the preface.
 */
function bindLine(listener: ListenerDocument, directory: string): string {
  if (!listener.tls) return `  bind ${listener.address}`;
  const minimum = listener.tls.minVersion ?? listenerTlsDefaults.minVersion;
  // HAProxy picks a crt by the names in it for the SNI a client sends, the first one otherwise.
  const more = (listener.tls.sni ?? []).map(
    (_, index) => ` crt ${tlsPaths(directory, listener.name, index).combined}`,
  );
  return `  bind ${listener.address} ssl crt ${tlsPaths(directory, listener.name).combined}${more.join('')} ssl-min-ver ${minimum} alpn ${listener.http2 ? 'h2,http/1.1' : 'http/1.1'}`;
}

// HAProxy's forwarding headers: X-Forwarded-For from option forwardfor, the other two set by hand.
const forwardingLines = [
  '  option forwardfor',
  '  http-request set-header X-Forwarded-Proto https if { ssl_fc }',
  '  http-request set-header X-Forwarded-Proto http unless { ssl_fc }',
  '  http-request set-header X-Forwarded-Host %[req.hdr(host)]',
];

// HAProxy's cookie insert pins a client to the server whose `cookie` value it carries; "indirect"
// keeps the cookie from the server and re-sets it only when the client is not pinned to that server.
function stickyLines(pool: PoolDocument): string[] {
  const sticky = pool.stickySession;
  if (!sticky) return [];
  // HAProxy always writes "path=/"; a later Path attribute wins in a user agent (RFC 6265 5.3).
  const path = sticky.path ?? stickySessionDefaults.path;
  const attributes = [
    ...(path === '/' ? [] : [`Path=${path}`]),
    `SameSite=${sticky.sameSite ?? stickySessionDefaults.sameSite}`,
    ...(sticky.maxAgeSeconds === undefined ? [] : [`Max-Age=${sticky.maxAgeSeconds}`]),
  ];
  const flags = `${(sticky.httpOnly ?? stickySessionDefaults.httpOnly) ? ' httponly' : ''}${sticky.sameSite === 'None' ? ' secure' : ''}`;
  return [
    `  cookie ${sticky.cookie ?? stickySessionDefaults.cookie} insert indirect nocache${flags} ${attributes.map((attribute) => `attr "${attribute}"`).join(' ')}`,
  ];
}

/** An opaque, unforgeable server cookie value: an HMAC of the pool and backend under the pool's secret. */
function affinityValue(secret: string, pool: string, id: string): string {
  return createHmac('sha256', secret).update(`${pool}\0${id}`).digest('base64url').slice(0, 22);
}

/** A server id from the backend's id alone (FNV-1a), so it survives other servers coming and going. */
function stableServerId(id: string): number {
  let hash = 0x811c9dc5;
  for (const character of id) hash = Math.imul(hash ^ (character.codePointAt(0) as number), 0x01000193);
  return 1 + ((hash >>> 0) % 1_000_000);
}

function timeoutLines(pool: PoolDocument): string[] {
  const { connectMs, responseMs } = { ...timeoutDefaults, ...pool.timeouts };
  return [`  timeout connect ${connectMs}ms`, `  timeout server ${responseMs}ms`];
}

// retry-on names of the neutral failures (HTTP mode only; TCP retries connection failures).
const retryOnNames: Record<string, string> = {
  'connect-failure': 'conn-failure',
  reset: 'empty-response',
  timeout: 'response-timeout',
};

function retryLines(pool: PoolDocument, http: boolean): string[] {
  const retries = pool.retries;
  // HAProxy retries 3 times by default; the neutral config retries only when asked to.
  if (!retries) return ['  retries 0'];
  const lines = [`  retries ${retries.attempts}`, '  option redispatch 1'];
  if (!http) return lines;
  const retryOn = (retries.retryOn ?? ['connect-failure']).map((failure) =>
    typeof failure === 'number' ? String(failure) : (retryOnNames[failure] as string),
  );
  lines.push(`  retry-on ${retryOn.join(' ')}`);
  // HAProxy retries any method; the neutral config retries a request that was sent only if it is
  // idempotent (conn-failure is not a layer 7 retry, so a POST that could not connect still is).
  if (!retries.retryNonIdempotent) {
    lines.push(
      '  http-request disable-l7-retry unless METH_GET || METH_HEAD || METH_PUT || METH_DELETE || METH_OPTIONS || METH_TRACE',
    );
  }
  return lines;
}

function healthCheckLines(pool: PoolDocument): string[] {
  const check = pool.healthCheck;
  if (!check) return [];
  const lines: string[] = [];
  if ((check.type ?? 'http') === 'http') {
    const statuses = check.expectedStatuses ?? healthCheckDefaults.expectedStatuses;
    lines.push(
      `  option httpchk GET ${check.path ?? healthCheckDefaults.path}`,
      `  http-check expect rstatus ^(${statuses.join('|')})$`,
    );
  }
  const { intervalMs, timeoutMs, healthyThreshold, unhealthyThreshold } = {
    ...healthCheckDefaults,
    ...check,
  };
  lines.push(
    `  timeout check ${timeoutMs}ms`,
    `  default-server inter ${intervalMs}ms fall ${unhealthyThreshold} rise ${healthyThreshold}`,
  );
  return lines;
}

// The key of each neutral hashKey as a balance expression; a request without it is balanced round
// robin, as the spec wants. HAProxy hashes it onto a tree of 16 nodes per unit of weight (see the
// server lines for why weights are scaled).
function hashBalance(pool: PoolDocument): string {
  const key = pool.hashKey;
  if (!key) throw new Error('haproxy adapter: consistent_hash without a hashKey');
  const balance =
    key.from === 'header'
      ? `hdr(${key.name})`
      : key.from === 'cookie'
        ? `hash req.cook(${key.name})`
        : key.from === 'query'
          ? `url_param ${key.name}`
          : key.from === 'path'
            ? 'hash path'
            : 'source';
  const bounded =
    pool.hashBalanceFactor === undefined ? '' : `\n  hash-balance-factor ${pool.hashBalanceFactor}`;
  return `${balance}\n  hash-type consistent${bounded}`;
}

// HAProxy's `random` draws two servers by default; uniform random is random(1). Its draws map a
// random key onto a hash ring of 16 points per unit of weight, so with weight 1 three equal servers
// got 29/35/36%; the largest weight (256) gives each 4,096 points and an even ring.
const algorithms: Record<string, { balance: string; weighted: boolean; equalWeight?: number }> = {
  round_robin: { balance: 'roundrobin', weighted: false },
  weighted_round_robin: { balance: 'roundrobin', weighted: true },
  least_connections: { balance: 'leastconn', weighted: true },
  power_of_two_choices: { balance: 'random(2)', weighted: true },
  random: { balance: 'random(1)', weighted: false, equalWeight: 256 },
};

function balanceOf(pool: PoolDocument): { balance: string; weighted: boolean; equalWeight?: number } {
  const algorithm = pool.algorithm ?? 'round_robin';
  if (algorithm === 'consistent_hash') return { balance: hashBalance(pool), weighted: true };
  const translation = algorithms[algorithm];
  if (!translation) throw new Error(`haproxy adapter: algorithm "${algorithm}" is not translated yet`);
  return translation;
}
