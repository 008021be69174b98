import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dnsNamesOf } from '../../reference/src/l7/tls-termination.ts';
import {
  algorithmCapabilities,
  type Capability,
  declareCapabilities,
  hashKeyCapabilities,
} from '../spec/capabilities.ts';
import {
  type ConfigDocument,
  type ListenerDocument,
  listenerTlsDefaults,
  type PoolDocument,
  plainListeners,
  timeoutDefaults,
} from '../spec/config-document.ts';
import { productVersion } from './installed.ts';
import { nginxRoutes } from './nginx-routes.ts';
import { type ConfigTranslator, ProcessAdapter, type RenderContext } from './process-adapter.ts';
import { poolCaPath, tlsPaths } from './tls-files.ts';

/** Debian's package ships the stream (TCP) module separately: libnginx-mod-stream. */
export const streamModulePath = '/usr/lib/nginx/modules/ngx_stream_module.so';

/**
 * nginx (1.22 from Debian) started by hand: one worker (round robin and failure state are per
 * worker without a shared zone), its own prefix, pid, log and temp paths in the run directory;
 * reloads with SIGHUP to the master.
 */
export function nginxAdapter(): ProcessAdapter {
  return new ProcessAdapter({
    name: 'nginx',
    describe: async () => {
      const version = productVersion('nginx', ['-v'], /nginx\/(\S+)/, 'nginx libnginx-mod-stream');
      const supported: Capability[] = [
        'l7',
        ...algorithmCapabilities,
        ...hashKeyCapabilities,
        'load-aware-weights',
        'keyless-round-robin',
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
        'h2-upstream',
        'grpc',
        'retries',
        'retry-on-reset',
        'retry-on-status',
        'retry-non-idempotent',
        'timeouts',
        'connect-timeout',
        'forwarded-headers',
        'forwarded-for-chain',
        'routing',
        'traffic-split',
        'rewrites',
        'redirects',
        'streaming',
        'keep-alive',
        'websocket',
        'bad-gateway',
        'request-smuggling',
        'malformed-requests',
        'request-line-limit',
        'backend-faults',
        'header-timeout',
        'idle-timeout',
      ];
      const reasons: Partial<Record<Capability, string>> = {
        'active-health-checks': 'nginx OSS has no active health checks',
        'initial-health-state': 'nginx OSS has no active health checks',
        'health-check-thresholds': 'nginx OSS has no active health checks',
        'tcp-health-checks': 'nginx OSS has no active health checks',
        'health-check-timeouts': 'nginx OSS has no active health checks',
        'drain-ends-affinity': 'nginx OSS has no sticky cookie',
        'idle-before-first-byte':
          "nginx waits client_header_timeout (60 s by default), not keepalive_timeout, for a connection's first bytes (seen with 1.22: not closed within 4 s under an idle timeout of 1 s)",
        'idle-before-first-request':
          "nginx waits client_header_timeout (60 s by default), not keepalive_timeout, for an HTTP/2 connection's first request (seen with 1.22)",
        'passive-health-checks':
          'max_fails/fail_timeout skips a server for a fixed time: no growing ejection, no cap on the share skipped',
        'retry-backoff': 'nginx retries on the next server at once, without backoff',
        'retry-budget': 'nginx has no retry budget',
        'graceful-degradation': 'nginx answers 502 without Retry-After when every server is down',
        'panic-threshold': 'nginx has no panic mode',
        'hash-bounded-load': 'hash ... consistent has no bounded loads: a hot key stays on its server',
        maglev: 'nginx hashes onto a ketama ring only',
        'sticky-sessions':
          'nginx OSS has no sticky cookie; hash $cookie_x consistent only keeps clients that bring their own key',
        'rate-limit':
          'limit_req is a leaky bucket (capacity burst+1) that sends no Retry-After or RateLimit headers and never limits an empty key',
        'shared-rate-limit-store':
          "nginx OSS keeps limit_req zones in one instance's shared memory: its workers share them, other instances of a fleet do not",
        'client-connection-limit': 'limit_conn answers 503 to the extra connection instead of closing it',
        'size-limits': 'nginx answers 400 (Request Header Or Cookie Too Large), not 431, to large headers',
        'header-rules':
          'proxy_set_header and add_header cannot be made per route without a map per header, and proxy_hide_header cannot be',
        'hop-by-hop-headers': 'nginx passes on Proxy-Authorization and the headers a Connection header names',
        'circuit-breaker':
          'max_fails/fail_timeout is the nearest: no half-open trial count, no growing open time, and max_conns answers 502',
        'backup-pool': 'backup servers need active checks to stand in, which nginx OSS lacks',
        'keep-alive-races':
          'with retries to the next server off (the neutral default), nginx does not send a request lost on a cached keepalive connection again either: the GET gets 502',
        'non-http-answers':
          'nginx reads an answer whose status line is not HTTP as HTTP/0.9 and passes its bytes on without a status line of its own',
        'admin-api':
          "the admin endpoint is the spec's own API; nginx has stub_status, without tokens or 405s",
        'reload-validation':
          'the adapter translates only valid neutral configs, so an invalid one never reaches nginx (which keeps its old config on a failed reload)',
        'request-timeout': 'client_body_timeout limits the time between two reads, not the whole body',
        'path-normalisation':
          "the route map reads $request_uri as sent; nginx's normalised $uri is percent-decoded too, which a byte-exact target rules out",
        'absolute-form': 'the target is forwarded from $request_uri, its dot segments unresolved',
      };
      // nginx 1.25.1 reads the first bytes of a cleartext http2 connection and serves HTTP/1.1 too.
      if (versionAtLeast(version, [1, 25, 1])) supported.push('h2c');
      else
        reasons.h2c = `nginx ${version} speaks only HTTP/2 on a cleartext http2 listener: an HTTP/1.1 client there gets HTTP/2 frames (1.25.1 serves both)`;
      if (existsSync(streamModulePath)) supported.push('l4');
      else
        reasons.l4 = `the stream module is missing (${streamModulePath}): apt-get install -y libnginx-mod-stream`;
      return {
        name: 'nginx',
        version,
        capabilities: declareCapabilities(supported, 'not expressible in nginx OSS', reasons),
      };
    },
    commandLine: (configPath, directory) => ({
      command: 'nginx',
      args: ['-p', directory, '-c', configPath, '-e', join(directory, 'error.log')],
    }),
    reload: { kind: 'signal', signal: 'SIGHUP' },
    // SIGQUIT is nginx's graceful shutdown; SIGTERM is its fast one, which drops what is in flight.
    stopSignal: 'SIGQUIT',
    reportsConfigHash: true,
    translator: nginxTranslator,
    logFiles: ['error.log'],
  });
}

export const nginxTranslator: ConfigTranslator = { fileName: 'nginx.conf', render: renderNginxConfig };

/** The nginx.conf for a neutral config. Pure: the same config and context give the same text. */
export function renderNginxConfig(config: ConfigDocument, { directory, configHash }: RenderContext): string {
  const http = config.listeners.filter((listener) => listener.protocol === 'http');
  const tcp = plainListeners(
    { ...config, listeners: config.listeners.filter((listener) => listener.protocol === 'tcp') },
    'nginx',
  );
  const routed = new Map(
    http
      .filter((listener) => listener.routes !== undefined)
      .map((listener) => [listener, nginxRoutes(listener)]),
  );
  for (const [listener, routes] of routed) {
    const overTls = routes.pools.find((name) => poolOf(config, name).tls || poolOf(config, name).http2);
    if (overTls)
      throw new Error(
        `nginx adapter: listener "${listener.name}" routes to pool "${overTls}", which speaks TLS or HTTP/2 to its backends; routes to such pools are not translated`,
      );
  }
  const httpPools = [
    ...new Set(http.flatMap((listener) => routed.get(listener)?.pools ?? [listener.pool as string])),
  ];
  const usedPools = (listeners: typeof tcp) => [
    ...new Set(
      listeners.flatMap((listener) => [
        listener.pool,
        ...(listener.sniRoutes ?? []).map((route) => route.pool),
      ]),
    ),
  ];
  const lines = [
    `# generated by lbspec from the neutral config sha256 ${configHash}`,
    ...(tcp.length > 0 ? [`load_module ${streamModulePath};`] : []),
    'daemon off;',
    'worker_processes 1;',
    `pid ${join(directory, 'nginx.pid')};`,
    `error_log ${join(directory, 'error.log')} notice;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    '  map $request_uri $lbspec_raw_path { "~^(?<lbpath>[^?]*)" $lbpath; }',
    // Bodies of any size: the neutral config sets no limit (nginx's default is 1 MB).
    '  client_max_body_size 0;',
    // A WebSocket handshake passes Upgrade on; any other request keeps its upstream connection alive.
    "  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }",
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
      (kind) => `  ${kind}_temp_path ${join(directory, `${kind}_temp`)};`,
    ),
    ...httpPools.flatMap((name) => upstream(`http_${name}`, poolOf(config, name), true)),
    ...[...routed.values()].flatMap((routes) => routes.httpLines),
    ...http.flatMap((listener) => {
      const body =
        listener.pool !== undefined && !routed.has(listener) && poolOf(config, listener.pool).http2
          ? grpcLocation(config, listener, directory)
          : [
              ...clientTimeouts(listener).map((line) => `    ${line}`),
              ...(routed.get(listener)?.serverLines ?? []),
              '    location / {',
              ...(routed.get(listener)?.locationLines ?? [
                ...upstreamTls(config, listener.pool as string, directory).map((line) => `      ${line}`),
                '      proxy_set_header Host $http_host;',
              ]),
              '      proxy_http_version 1.1;',
              '      proxy_set_header Upgrade $http_upgrade;',
              '      proxy_set_header Connection $connection_upgrade;',
              // nginx adds no forwarding headers of its own; these are its documented equivalents.
              '      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
              '      proxy_set_header X-Forwarded-Proto $scheme;',
              '      proxy_set_header X-Forwarded-Host $http_host;',
              '      proxy_buffering off;',
              '      proxy_request_buffering off;',
              ...listenerPolicy(config, routed.get(listener)?.pools ?? [listener.pool as string]).map(
                (line) => `      ${line}`,
              ),
              '    }',
            ];
      // One server block per certificate, the default one first (nginx's default for the address);
      // nginx picks a block by the SNI a client sends, as it does by Host.
      return nginxTlsHeads(listener, directory).flatMap((head) => [
        '  server {',
        `    listen ${listener.address}${listener.tls ? ' ssl' : ''}${listener.http2 ? ' http2' : ''};`,
        ...head.map((line) => `    ${line}`),
        ...body,
        '  }',
      ]);
    }),
    ...(config.admin
      ? [
          '  server {',
          `    listen ${config.admin.address};`,
          `    location = /status { default_type application/json; return 200 '{"configHash":"${configHash}"}\\n'; }`,
          "    location = /healthz { default_type text/plain; return 200 'ok\\n'; }",
          '  }',
        ]
      : []),
    '}',
  ];
  if (tcp.length > 0) {
    lines.push(
      'stream {',
      ...usedPools(tcp).flatMap((name) => upstream(`tcp_${name}`, poolOf(config, name), false)),
      ...tcp.flatMap((listener) => sniMap(listener)),
      ...tcp.flatMap((listener) => [
        '  server {',
        `    listen ${listener.address};`,
        ...(listener.sniRoutes
          ? ['    ssl_preread on;', `    proxy_pass $lbspec_sni_${listener.name};`]
          : [`    proxy_pass tcp_${listener.pool};`]),
        // Between two reads or writes on either side: a connection idle both ways is closed.
        ...(listener.limits?.idleTimeoutMs === undefined
          ? []
          : [`    proxy_timeout ${listener.limits.idleTimeoutMs}ms;`]),
        ...tcpPolicy(poolOf(config, listener.pool)).map((line) => `    ${line}`),
        // A client's FIN must not close the way back: the answer may still be coming.
        '    proxy_half_close on;',
        '  }',
      ]),
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The pool for a passthrough listener's connection by the server name ssl_preread read. nginx
 * tries exact names before patterns whatever their order, which differs from the first route that
 * names it only when a name has both.
 */
function sniMap(listener: ListenerDocument): string[] {
  if (!listener.sniRoutes) return [];
  return [
    `  map $ssl_preread_server_name $lbspec_sni_${listener.name} {`,
    ...listener.sniRoutes.flatMap((route) =>
      route.serverNames.map((name) => `    ${nginxServerName(name.toLowerCase())} tcp_${route.pool};`),
    ),
    `    default tcp_${listener.pool};`,
    '  }',
  ];
}

/**
 * A listener's client limits nginx has: client_header_timeout runs from the first wait for a
 * request's head to its end (it is not reset by each read), and a connection kept alive with
 * nothing in flight is closed after keepalive_timeout.
 */
function clientTimeouts(listener: ListenerDocument): string[] {
  const { headerTimeoutMs, idleTimeoutMs } = listener.limits ?? {};
  return [
    ...(headerTimeoutMs === undefined ? [] : [`client_header_timeout ${headerTimeoutMs}ms;`]),
    ...(idleTimeoutMs === undefined ? [] : [`keepalive_timeout ${idleTimeoutMs}ms;`]),
  ];
}

// nginx's conditions for each neutral failure. nginx cannot tell them apart as finely: "error" covers
// both a refused connection and one lost before the answer, and "timeout" both a connect timeout
// and no answer in time, so naming one of a pair retries both.
const nextUpstreamConditions: Record<string, readonly string[]> = {
  'connect-failure': ['error', 'timeout'],
  reset: ['error'],
  timeout: ['timeout'],
};
const retryableStatuses = new Set([500, 502, 503, 504, 403, 404, 429]);

/** The timeouts and retries of a location: one set, so the pools a listener routes to must agree. */
function listenerPolicy(config: ConfigDocument, pools: readonly string[]): string[] {
  const policies = pools.map((name) => httpPolicy(poolOf(config, name)));
  const distinct = new Set(policies.map((lines) => lines.join('\n')));
  if (distinct.size > 1) {
    throw new Error(
      `nginx adapter: the pools ${pools.join(', ')} of one listener have different timeouts or retries, which one location cannot express`,
    );
  }
  return policies[0] ?? [];
}

/** Timeouts and retries of an HTTP location proxying to `pool`. */
function httpPolicy(pool: PoolDocument): string[] {
  const { connectMs, responseMs } = { ...timeoutDefaults, ...pool.timeouts };
  const lines = [`proxy_connect_timeout ${connectMs}ms;`, `proxy_read_timeout ${responseMs}ms;`];
  const retries = pool.retries;
  // nginx passes a failed request to the next server by default; the neutral config only when asked.
  if (!retries || retries.attempts === 0) return [...lines, 'proxy_next_upstream off;'];
  const conditions = new Set<string>();
  for (const failure of retries.retryOn ?? ['connect-failure']) {
    if (typeof failure === 'string')
      for (const condition of nextUpstreamConditions[failure] ?? []) conditions.add(condition);
    else if (retryableStatuses.has(failure)) conditions.add(`http_${failure}`);
    else throw new Error(`nginx adapter: proxy_next_upstream cannot retry on status ${failure}`);
  }
  // Like the neutral default, nginx does not pass on a POST, LOCK or PATCH once it was sent.
  if (retries.retryNonIdempotent) conditions.add('non_idempotent');
  return [
    ...lines,
    `proxy_next_upstream ${[...conditions].join(' ')};`,
    `proxy_next_upstream_tries ${retries.attempts + 1};`,
  ];
}

/** Timeouts and retries of a stream server proxying to `pool`: a connection is retried only when it could not connect. */
function tcpPolicy(pool: PoolDocument): string[] {
  const { connectMs } = { ...timeoutDefaults, ...pool.timeouts };
  const attempts = pool.retries?.attempts ?? 0;
  return [
    `proxy_connect_timeout ${connectMs}ms;`,
    ...(attempts > 0
      ? ['proxy_next_upstream on;', `proxy_next_upstream_tries ${attempts + 1};`]
      : ['proxy_next_upstream off;']),
  ];
}

function poolOf(config: ConfigDocument, name: string): PoolDocument {
  const pool = config.pools[name];
  if (!pool) throw new Error(`the config has no pool "${name}"`);
  return pool;
}

// Each algorithm's directive (empty: nginx's default weighted round robin) and whether it uses weights.
const algorithms: Record<string, { directive?: string; weighted: boolean }> = {
  round_robin: { weighted: false },
  weighted_round_robin: { weighted: true },
  least_connections: { directive: 'least_conn', weighted: true },
  power_of_two_choices: { directive: 'random two least_conn', weighted: true },
  random: { directive: 'random', weighted: false },
};

// nginx's variable for each neutral hashKey; an empty key is balanced round robin, as the spec wants.
// $uri would be the decoded path, so the path as sent comes from $request_uri through a map.
function hashVariable(pool: PoolDocument, http: boolean): string {
  const key = pool.hashKey;
  if (!key) throw new Error('nginx adapter: consistent_hash without a hashKey');
  if (!http || key.from === 'client-ip') return '$remote_addr';
  const name = 'name' in key ? key.name.toLowerCase().replace(/-/g, '_') : '';
  return key.from === 'header'
    ? `$http_${name}`
    : key.from === 'cookie'
      ? `$cookie_${name}`
      : key.from === 'query'
        ? `$arg_${name}`
        : '$lbspec_raw_path';
}

function upstream(name: string, pool: PoolDocument, http: boolean): string[] {
  const algorithm = pool.algorithm ?? 'round_robin';
  const translation =
    algorithm === 'consistent_hash'
      ? { directive: `hash ${hashVariable(pool, http)} consistent`, weighted: true }
      : algorithms[algorithm];
  if (!translation) throw new Error(`nginx adapter: algorithm "${algorithm}" is not translated yet`);
  // nginx weights start at 1; a weight of 0 (no traffic) is a server marked down. nginx's own
  // passive checks (max_fails=1: one error sidelines a server for 10 s) are not the neutral
  // outlierDetection, so they are turned off with max_fails=0.
  const server = (backend: PoolDocument['backends'][number]) => {
    const weight = translation.weighted ? (backend.weight ?? 1) : 1;
    // A draining server is marked down: nginx sends it nothing new, and a reload lets the old
    // worker finish what is in flight.
    if (weight === 0 || backend.drain) return `    server ${backend.address} down;`;
    return `    server ${backend.address}${weight === 1 ? '' : ` weight=${weight}`} max_fails=0;`;
  };
  return [
    `  upstream ${name} {`,
    ...(translation.directive ? [`    ${translation.directive};`] : []),
    ...pool.backends.map(server),
    ...(http ? ['    keepalive 64;'] : []),
    '  }',
  ];
}

/**
 * The certificate lines of each server block of a listener: none without TLS; with it, the default
 * certificate's, then one block per tls.sni certificate, named by its DNS names. (nginx offers
 * http/1.1 alone over ALPN without http2.)
 */
function nginxTlsHeads(listener: ListenerDocument, directory: string): string[][] {
  if (!listener.tls) return [[]];
  const versions =
    (listener.tls.minVersion ?? listenerTlsDefaults.minVersion) === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1.2 TLSv1.3';
  const certificateLines = (index?: number) => {
    const paths = tlsPaths(directory, listener.name, index);
    return [
      `ssl_certificate ${paths.certificate};`,
      `ssl_certificate_key ${paths.key};`,
      `ssl_protocols ${versions};`,
    ];
  };
  return [
    certificateLines(),
    ...(listener.tls.sni ?? []).map(({ certificate }, index) => [
      `server_name ${dnsNamesOf(certificate).map(nginxServerName).join(' ')};`,
      ...certificateLines(index),
    ]),
  ];
}

// nginx's "*.b.test" also takes y.x.b.test; a certificate's wildcard stands for one label only.
function nginxServerName(name: string): string {
  if (!name.startsWith('*.')) return name;
  return `"~^[^.]+${name.slice(1).replaceAll('.', '\\.')}$"`;
}

/** proxy_pass to a pool, over TLS with its CA and server name when the pool has "tls". */
function upstreamTls(config: ConfigDocument, poolName: string, directory: string): string[] {
  const tls = poolOf(config, poolName).tls;
  if (!tls) return [`proxy_pass http://http_${poolName};`];
  return [
    `proxy_pass https://http_${poolName};`,
    'proxy_ssl_verify on;',
    `proxy_ssl_trusted_certificate ${poolCaPath(directory, poolName)};`,
    `proxy_ssl_name ${tls.serverName};`,
    'proxy_ssl_server_name on;',
  ];
}

/**
 * The location of a listener whose pool speaks HTTP/2 to its backends: nginx's proxy module
 * speaks HTTP/1.x upstream only, its grpc module HTTP/2 (h2c, or h2 over TLS), with the same
 * timeouts and retries under grpc_ names.
 */
function grpcLocation(config: ConfigDocument, listener: ListenerDocument, directory: string): string[] {
  const poolName = listener.pool as string;
  const tls = poolOf(config, poolName).tls;
  return [
    ...clientTimeouts(listener).map((line) => `    ${line}`),
    '    location / {',
    ...(tls
      ? [
          `grpc_pass grpcs://http_${poolName};`,
          'grpc_ssl_verify on;',
          `grpc_ssl_trusted_certificate ${poolCaPath(directory, poolName)};`,
          `grpc_ssl_name ${tls.serverName};`,
          'grpc_ssl_server_name on;',
        ]
      : [`grpc_pass grpc://http_${poolName};`]
    ).map((line) => `      ${line}`),
    '      grpc_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '      grpc_set_header X-Forwarded-Proto $scheme;',
    '      grpc_set_header X-Forwarded-Host $http_host;',
    ...listenerPolicy(config, [poolName]).map((line) => `      ${line.replace(/^proxy_/, 'grpc_')}`),
    '    }',
  ];
}

/** Whether a dotted version ("1.22.1") is at least `minimum`. */
function versionAtLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.split('.').map(Number);
  for (const [index, wanted] of minimum.entries()) {
    const part = parts[index] ?? 0;
    if (part !== wanted) return part > wanted;
  }
  return true;
}
