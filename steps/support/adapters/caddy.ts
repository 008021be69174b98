import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { type Capability, declareCapabilities } from '../capabilities.ts';
import type { ConfigDocument, HeaderRulesDocument, PoolDocument, RouteDocument } from '../config-document.ts';
import { productVersion } from './installed.ts';
import { type ConfigTranslator, ProcessAdapter, type RenderContext } from './process-adapter.ts';
import { escapeRegex, inPrecedenceOrder, pathRegex } from './route-order.ts';

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
      capabilities: declareCapabilities(caddySupported, 'not translated by this adapter yet', caddyReasons),
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
  'hitless-reload',
  'routing',
  'header-rules',
];

const caddyReasons: Partial<Record<Capability, string>> = {
  l4: "Caddy 2.6 proxies HTTP only; layer 4 needs the caddy-l4 plugin, which Debian's package lacks",
  'forwarded-for-chain':
    'Caddy (since 2.5) drops the X-Forwarded-For a client outside trusted_proxies sends and sends the client address alone',
  'weighted-round-robin': 'Caddy 2.6 has no weights (weighted_round_robin came in 2.8)',
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
  'admin-api':
    "the admin endpoint is the spec's own API; Caddy's admin API serves its config, without the spec's status or metrics",
  'reload-validation':
    'the adapter translates only valid neutral configs, so an invalid one never reaches Caddy (which keeps its old config on a failed load)',
  'panic-threshold': 'Caddy has no panic mode',
  'power-of-two-choices':
    'random_choose 2 may draw the same upstream twice, so the busier of two backends still gets new requests',
  'connect-timeout': 'Caddy answers 502, not 504, when a connection to a backend times out',
  'traffic-split': 'Caddy has no weighted split of a route between pools',
  'sticky-sessions':
    "Caddy 2.6's cookie policy sets no Max-Age, HttpOnly or SameSite, and sends a request without a valid cookie to a random backend, not by the pool's algorithm (seen)",
  'consistent-hash':
    'Caddy 2.6 hashes a header, the client address or the whole URI (query included), not a cookie value, a query parameter or the path alone',
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
      routes: [
        ...inPrecedenceOrder(listener.routes ?? []).map((route) => caddyRoute(route, poolNamed)),
        listener.pool === undefined
          ? { handle: [staticAnswer(404, 'text/plain', 'no route matches this request\n')] }
          : { handle: [reverseProxy(poolNamed(listener.pool))] },
      ],
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
    apps: { http: { servers } },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * One neutral route as a terminal Caddy route, the routes in the spec's precedence order since
 * Caddy takes the first that matches. Hosts are matched by a regular expression on the Host header
 * (Caddy's host matcher takes one label per "*", the spec's wildcard one or more); paths by one on
 * the path.
 */
function caddyRoute(
  route: RouteDocument,
  poolNamed: (name: string) => PoolDocument,
): Record<string, unknown> {
  if (route.pool === undefined)
    throw new Error(
      `caddy adapter: route "${route.name}" has no pool (splits and redirects are not translated)`,
    );
  if (route.rewrite)
    throw new Error(`caddy adapter: route "${route.name}" rewrites, which it does not translate`);
  const { host, path, method, headers = [], query = [] } = route.match;
  const headerRegexps: Record<string, { pattern: string }> = {};
  const headerValues: Record<string, string[]> = {};
  if (host !== undefined) headerRegexps.Host = { pattern: hostPattern(host) };
  for (const header of headers) {
    if ('regex' in header) headerRegexps[header.name] = { pattern: `^(?:${header.regex})$` };
    else headerValues[header.name] = ['exact' in header ? header.exact : '*'];
  }
  const matcher: Record<string, unknown> = {
    ...(path === undefined ? {} : { path_regexp: { pattern: pathRegex(path) } }),
    ...(method === undefined ? {} : { method: [...method] }),
    ...(Object.keys(headerValues).length === 0 ? {} : { header: headerValues }),
    ...(query.length === 0
      ? {}
      : { query: Object.fromEntries(query.map((q) => [q.name, ['exact' in q ? q.exact : '*']])) }),
  };
  const matchSet = {
    ...matcher,
    ...(Object.keys(headerRegexps).length === 0 ? {} : { header_regexp: headerRegexps }),
  };
  return {
    match: [matchSet],
    handle: [...headerRules(route), reverseProxy(poolNamed(route.pool))],
    terminal: true,
  };
}

// The spec's host: case-insensitive, port ignored; "*.example.com" one or more labels before it.
function hostPattern(host: string): string {
  const port = '(?::[0-9]+)?';
  if (!host.startsWith('*.')) return `(?i)^${escapeRegex(host)}${port}$`;
  return `(?i)^(?:[^.:]+\\.)+${escapeRegex(host.slice(2))}${port}$`;
}

// Request and response header rules: remove, then set, then add (Caddy applies add, set, delete
// within one operation, so each step is an operation of its own).
function headerRules(route: RouteDocument): Record<string, unknown>[] {
  const steps = (rules: HeaderRulesDocument | undefined) =>
    rules === undefined
      ? []
      : [
          ...(rules.remove?.length ? [{ delete: [...rules.remove] }] : []),
          ...(rules.set ? [{ set: valuesOf(rules.set) }] : []),
          ...(rules.add ? [{ add: valuesOf(rules.add) }] : []),
        ];
  return [
    ...steps(route.requestHeaders).map((request) => ({ handler: 'headers', request })),
    ...steps(route.responseHeaders).map((response) => ({
      handler: 'headers',
      response: { ...response, deferred: true },
    })),
  ];
}

const valuesOf = (record: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(record).map(([name, value]) => [name, [value]]));

function reverseProxy(pool: PoolDocument): Record<string, unknown> {
  const algorithm = pool.algorithm ?? 'round_robin';
  const policy = policies[algorithm];
  if (!policy) throw new Error(`caddy adapter: algorithm "${algorithm}" is not translated`);
  return {
    handler: 'reverse_proxy',
    upstreams: pool.backends
      .filter((backend) => !backend.drain)
      .map((backend) => ({ dial: backend.address })),
    load_balancing: { selection_policy: policy },
    transport: {
      protocol: 'http',
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
