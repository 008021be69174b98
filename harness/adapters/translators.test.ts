import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Algorithm, ConfigDocument, ListenerDocument, RouteDocument } from '../spec/config-document.ts';
import { renderCaddyConfig } from './caddy.ts';
import { renderHaproxyConfig } from './haproxy.ts';
import { productVersion } from './installed.ts';
import { renderNginxConfig, streamModulePath } from './nginx.ts';

const config: ConfigDocument = {
  version: 1,
  admin: { address: '127.0.0.1:9900' },
  listeners: [
    { name: 'web', protocol: 'http', address: '127.0.0.1:8080', pool: 'app' },
    { name: 'raw', protocol: 'tcp', address: '127.0.0.1:8081', pool: 'app' },
  ],
  pools: {
    app: {
      algorithm: 'round_robin',
      backends: [
        { id: 'b1', address: '127.0.0.1:9001' },
        { id: 'b2', address: '127.0.0.1:9002' },
      ],
    },
  },
};
const context = { directory: '/run/lb', configHash: 'abc123' };

test('nginx: one worker, own paths, upstreams in config order, admin status with the hash', () => {
  const text = renderNginxConfig(config, context);
  for (const expected of [
    `load_module ${streamModulePath};`,
    'worker_processes 1;',
    'pid /run/lb/nginx.pid;',
    'proxy_temp_path /run/lb/proxy_temp;',
    '  upstream http_app {\n    server 127.0.0.1:9001 max_fails=0;\n    server 127.0.0.1:9002 max_fails=0;\n    keepalive 64;\n  }',
    'listen 127.0.0.1:8080;',
    'proxy_pass http://http_app;',
    'proxy_set_header Host $http_host;',
    `return 200 '{"configHash":"abc123"}\\n';`,
    'stream {',
    'proxy_pass tcp_app;',
    'proxy_half_close on;',
  ]) {
    assert.ok(text.includes(expected), `nginx.conf lacks: ${expected}\n${text}`);
  }
});

test('nginx: the stream module is loaded only when a TCP listener needs it', () => {
  const httpOnly = renderNginxConfig(
    { ...config, listeners: [config.listeners[0] as ConfigDocument['listeners'][0]] },
    context,
  );
  assert.ok(!httpOnly.includes('load_module'));
  assert.ok(!httpOnly.includes('stream {'));
});

test('haproxy: a frontend per listener, a backend per pool and mode, admin status with the hash', () => {
  const text = renderHaproxyConfig(config, context);
  for (const expected of [
    'pidfile /run/lb/haproxy.pid',
    `http-request return status 200 content-type application/json string '{"configHash":"abc123"}' if { path /status }`,
    'frontend listener_web\n  mode http\n  bind 127.0.0.1:8080\n  option forwardfor\n',
    '  default_backend http_app',
    'frontend listener_raw\n  mode tcp\n  bind 127.0.0.1:8081\n  default_backend tcp_app',
    'backend http_app\n  mode http\n  balance roundrobin\n  server b1 127.0.0.1:9001\n  server b2 127.0.0.1:9002',
    'backend tcp_app\n  mode tcp\n  balance roundrobin',
  ]) {
    assert.ok(text.includes(expected), `haproxy.cfg lacks: ${expected}\n${text}`);
  }
});

test('algorithms a translation does not know are an error, not a silent round robin', () => {
  // Not an algorithm of the schema: what a translation meets when the schema gains one it lacks.
  const algorithm = 'maglev' as Algorithm;
  const unknown = { ...config, pools: { app: { ...config.pools.app, algorithm, backends: [] } } };
  assert.throws(() => renderNginxConfig(unknown, context), /algorithm "maglev" is not translated/);
  assert.throws(() => renderHaproxyConfig(unknown, context), /algorithm "maglev" is not translated/);
});

const withAlgorithm = (algorithm: Algorithm): ConfigDocument => ({
  ...config,
  pools: {
    app: {
      algorithm,
      backends: [
        { id: 'b1', address: '127.0.0.1:9001', weight: 5 },
        { id: 'b2', address: '127.0.0.1:9002', weight: 0 },
        { id: 'b3', address: '127.0.0.1:9003' },
      ],
    },
  },
});

test('nginx: each algorithm, with weights where it uses them and weight 0 as down', () => {
  const upstreamOf = (algorithm: Algorithm) =>
    /upstream http_app \{\n([^}]*)\}/.exec(renderNginxConfig(withAlgorithm(algorithm), context))?.[1] ?? '';
  assert.equal(
    upstreamOf('round_robin'),
    '    server 127.0.0.1:9001 max_fails=0;\n    server 127.0.0.1:9002 max_fails=0;\n    server 127.0.0.1:9003 max_fails=0;\n    keepalive 64;\n  ',
  );
  assert.match(
    upstreamOf('weighted_round_robin'),
    /server 127.0.0.1:9001 weight=5 max_fails=0;\n {4}server 127.0.0.1:9002 down;\n {4}server 127.0.0.1:9003 max_fails=0;/,
  );
  assert.match(
    upstreamOf('least_connections'),
    /^ {4}least_conn;\n {4}server 127.0.0.1:9001 weight=5 max_fails=0;/,
  );
  assert.match(upstreamOf('power_of_two_choices'), /^ {4}random two least_conn;\n/);
  assert.match(upstreamOf('random'), /^ {4}random;\n {4}server 127.0.0.1:9001 max_fails=0;\n/);
});

test('haproxy: each algorithm, with weights where it uses them', () => {
  const backendOf = (algorithm: Algorithm) =>
    /^backend http_app\n([\s\S]*?)(?:\nbackend|\n$)/m.exec(
      renderHaproxyConfig(withAlgorithm(algorithm), context),
    )?.[1] ?? '';
  assert.match(
    backendOf('round_robin'),
    /balance roundrobin\n {2}server b1 127.0.0.1:9001\n {2}server b2 127.0.0.1:9002\n/,
  );
  assert.match(
    backendOf('weighted_round_robin'),
    /balance roundrobin\n {2}server b1 127.0.0.1:9001 weight 5\n {2}server b2 127.0.0.1:9002 weight 0\n {2}server b3 127.0.0.1:9003/,
  );
  assert.match(backendOf('least_connections'), /balance leastconn\n/);
  assert.match(backendOf('power_of_two_choices'), /balance random\(2\)\n/);
  assert.match(backendOf('random'), /balance random\(1\)\n {2}server b1 127.0.0.1:9001 weight 256\n/);
});

test('a missing product names the packages to install', () => {
  assert.throws(
    () => productVersion('lbspec-no-such-balancer', ['-v'], /(.*)/, 'nginx libnginx-mod-stream'),
    /lbspec-no-such-balancer is not installed: apt-get install -y nginx libnginx-mod-stream/,
  );
  assert.equal(
    productVersion(process.execPath, ['--version'], /v(\d+\.\d+\.\d+)/, 'nodejs'),
    process.versions.node,
  );
  assert.throws(
    () => productVersion(process.execPath, ['--version'], /nothing-like-this/, 'nodejs'),
    /printed no version/,
  );
});

const resilient: ConfigDocument = {
  ...config,
  pools: {
    app: {
      ...config.pools.app,
      backends: config.pools.app?.backends ?? [],
      healthCheck: {
        path: '/live',
        expectedStatuses: [200, 204],
        intervalMs: 100,
        timeoutMs: 50,
        unhealthyThreshold: 3,
      },
      retries: { attempts: 2, retryOn: ['connect-failure', 'reset', 503] },
      timeouts: { connectMs: 700, responseMs: 300 },
      backupPool: 'spare',
    },
    spare: { backends: [{ id: 's1', address: '127.0.0.1:9100' }] },
  },
};

test('haproxy: health checks, timeouts, retries (idempotent only), backup servers and a 503 with Retry-After', () => {
  const text = renderHaproxyConfig(resilient, context);
  for (const expected of [
    '  default-server inter 100ms fall 3 rise 2\n  server b1 127.0.0.1:9001 check\n  server b2 127.0.0.1:9002 check\n  server backup_s1 127.0.0.1:9100 backup',
    '  timeout connect 700ms\n  timeout server 300ms',
    '  retries 2\n  option redispatch 1\n  retry-on conn-failure empty-response 503',
    '  http-request disable-l7-retry unless METH_GET',
    '  option httpchk GET /live\n  http-check expect rstatus ^(200|204)$',
    '  timeout check 50ms\n',
    'hdr Retry-After 1',
  ]) {
    assert.ok(text.includes(expected), `haproxy.cfg lacks: ${expected}\n${text}`);
  }
  const tcpBackend = text.slice(text.indexOf('\nbackend tcp_app'));
  assert.ok(tcpBackend.startsWith('\nbackend tcp_app'), text);
  for (const httpOnly of ['retry-on', 'http-request', 'http-error']) {
    assert.ok(!tcpBackend.includes(httpOnly), `${httpOnly} stays out of a TCP backend`);
  }
  assert.match(renderHaproxyConfig(config, context), /retries 0/, 'no retries unless the config asks');
});

test('nginx: timeouts and next-upstream retries, off unless the config asks', () => {
  const text = renderNginxConfig(resilient, context);
  for (const expected of [
    'proxy_connect_timeout 700ms;',
    'proxy_read_timeout 300ms;',
    'proxy_next_upstream error timeout http_503;',
    'proxy_next_upstream_tries 3;',
    '    proxy_next_upstream on;',
  ]) {
    assert.ok(text.includes(expected), `nginx.conf lacks: ${expected}\n${text}`);
  }
  assert.ok(!text.includes('non_idempotent'));
  assert.match(renderNginxConfig(config, context), /proxy_next_upstream off;[\s\S]*proxy_next_upstream off;/);
  const odd = {
    ...resilient,
    pools: {
      ...resilient.pools,
      app: { ...resilient.pools.app, backends: [], retries: { attempts: 1, retryOn: [507] } },
    },
  };
  assert.throws(() => renderNginxConfig(odd, context), /cannot retry on status 507/);
});

/** A config with one HTTP listener routing by `routes` over pools a and b. */
const routedConfig = (routes: RouteDocument[]): ConfigDocument => ({
  version: 1,
  listeners: [{ name: 'web', protocol: 'http', address: '127.0.0.1:8080', routes }],
  pools: {
    a: { backends: [{ id: 'a1', address: '127.0.0.1:9001' }] },
    b: { backends: [{ id: 'b1', address: '127.0.0.1:9002' }] },
  },
});

test('haproxy: routes name the winner in precedence order; actions and backends key on it', () => {
  const routed = routedConfig([
    {
      name: 'all',
      match: { path: { prefix: '/' } },
      split: [
        { pool: 'a', weight: 9 },
        { pool: 'b', weight: 1 },
      ],
    },
    {
      name: 'api',
      pool: 'b',
      match: { path: { prefix: '/api/v1' } },
      rewrite: { prefix: '/', host: 'in' },
    },
    { name: 'old', match: { path: { prefix: '/old' } }, redirect: { status: 301, prefix: '/new' } },
  ]);
  const text = renderHaproxyConfig(routed, context);
  const selection = text.split('\n').filter((line) => line.includes('set-var(txn.route)'));
  assert.deepEqual(
    selection.map((line) => /str\((\w+)\)/.exec(line)?.[1]),
    ['api', 'old', 'all'],
  );
  for (const line of [
    "  http-request return status 404 content-type text/plain string 'no route matches this request' if !{ var(txn.route) -m found }",
    "  http-request set-path '%[path,regsub(^/api/v1/?,/)]' if { var(txn.route) -m str api }",
    "  http-request set-header Host 'in' if { var(txn.route) -m str api }",
    "  http-request redirect location 'http://%[req.hdr(host)]%[path,regsub(^/old,/new)]?%[query]' code 301 if { var(txn.route) -m str old } { query -m found }",
    '  use_backend http_a if { var(txn.route) -m str all } { var(txn.split) -m int ge 0 } { var(txn.split) -m int lt 9 }',
    '  use_backend http_b if { var(txn.route) -m str all } { var(txn.split) -m int ge 9 } { var(txn.split) -m int lt 10 }',
    'backend http_a',
    'backend http_b',
  ])
    assert.ok(text.includes(line), `missing: ${line}\n${text}`);
});

test('nginx: routes become one map in precedence order; pool, target, Host and redirects key on the winner', () => {
  const routed = routedConfig([
    {
      name: 'all',
      match: {},
      split: [
        { pool: 'a', weight: 9 },
        { pool: 'b', weight: 1 },
      ],
    },
    {
      name: 'api',
      pool: 'b',
      match: { path: { prefix: '/api/v1' } },
      rewrite: { prefix: '/', host: 'in' },
    },
    {
      name: 'old',
      match: { path: { prefix: '/old' }, headers: [{ name: 'X-A', present: true }] },
      redirect: { status: 301, prefix: '/new' },
    },
  ]);
  const text = renderNginxConfig(routed, context);
  for (const line of [
    '  map "$host|$request_method|$request_uri|$args|$http_x_a|" $lbspec_route_web {',
    '    "~^[^|]*\\|[^|]*\\|/old(/[^?|]*)?(?:\\?[^|]*)?\\|[^|]*\\|[^|]+\\|$" old;',
    '  split_clients "$request_id" $lbspec_split_web_all {',
    '    90.00% http_a;',
    '    * http_b;',
    '    "~^api\\|/api/v1/?(?<lbrest>[^?]*)(?<lbquery>\\?.*)?$" "/$lbrest$lbquery";',
    '    if ($lbspec_route_web = old) { return 301 $lbspec_location_web; }',
    '      if ($lbspec_route_web = "") { return 404 "no route matches this request\\n"; }',
    '      proxy_pass http://$lbspec_pool_web$lbspec_target_web;',
  ])
    assert.ok(text.includes(line), `missing: ${line}\n${text}`);
  const order = [...text.matchAll(/^ {4}"~\^[^"]*" (\w+);$/gm)].map((match) => match[1]).slice(0, 3);
  assert.deepEqual(order, ['api', 'old', 'all']);
  assert.throws(
    () =>
      renderNginxConfig(
        {
          ...routed,
          listeners: [
            {
              ...(routed.listeners[0] as ListenerDocument),
              routes: [{ name: 'h', pool: 'a', match: {}, requestHeaders: { remove: ['X'] } }],
            },
          ],
        },
        context,
      ),
    /header rules/,
  );
});

test('caddy: a proxy server per HTTP listener, /status with the hash, the admin API on a socket of its own', () => {
  const http = { ...config, listeners: config.listeners.filter((listener) => listener.protocol === 'http') };
  const document = JSON.parse(renderCaddyConfig(http, context));
  assert.equal(document.admin.listen, 'unix//run/lb/caddy-admin.sock');
  assert.deepEqual(document.admin.config, { persist: false });
  const proxy = document.apps.http.servers['listener-web'];
  assert.deepEqual(proxy.listen, ['127.0.0.1:8080']);
  assert.deepEqual(proxy.automatic_https, { disable: true });
  const [handler] = proxy.routes[0].handle;
  assert.equal(handler.handler, 'reverse_proxy');
  assert.deepEqual(handler.upstreams, [{ dial: '127.0.0.1:9001' }, { dial: '127.0.0.1:9002' }]);
  assert.deepEqual(handler.load_balancing.selection_policy, { policy: 'round_robin' });
  const status = document.apps.http.servers.status;
  assert.deepEqual(status.listen, ['127.0.0.1:9900']);
  assert.equal(status.routes[0].handle[0].body, '{"configHash":"abc123"}');
  assert.throws(() => renderCaddyConfig(config, context), /listener "raw" is TCP/);
});

test('caddy: routes in precedence order, hosts and paths by regular expressions, header rules step by step', () => {
  const routed = webRoutedBy([
    { name: 'general', pool: 'app', match: { path: { prefix: '/api' } } },
    {
      name: 'tenants',
      pool: 'app',
      match: { host: '*.tenants.example', headers: [{ name: 'X-Canary', regex: 'yes|true' }] },
      requestHeaders: { remove: ['Cookie'], set: { 'X-Env': 'prod' } },
    },
  ]);
  const { routes } = JSON.parse(renderCaddyConfig(routed, context)).apps.http.servers['listener-web'];
  assert.deepEqual(routes[0].match, [
    {
      header_regexp: {
        Host: { pattern: '(?i)^(?:[^.:]+\\.)+tenants\\.example(?::[0-9]+)?$' },
        'X-Canary': { pattern: '^(?:yes|true)$' },
      },
    },
  ]);
  assert.deepEqual(
    routes[0].handle.slice(0, 2).map((step: { request: unknown }) => step.request),
    [{ delete: ['Cookie'] }, { set: { 'X-Env': ['prod'] } }],
  );
  assert.deepEqual(routes[1].match, [{ path_regexp: { pattern: '^/api(/.*)?$' } }]);
  assert.equal(routes[2].handle[0].status_code, 404, 'no listener pool: a request no route matches gets 404');
});

test('nginx: header and idle timeouts become client_header_timeout, keepalive_timeout and proxy_timeout', () => {
  const limited: ConfigDocument = {
    ...config,
    listeners: config.listeners.map((listener) => ({
      ...listener,
      limits: { headerTimeoutMs: 1000, idleTimeoutMs: 2000 },
    })),
  };
  const text = renderNginxConfig(limited, context);
  for (const expected of [
    'client_header_timeout 1000ms;',
    'keepalive_timeout 2000ms;',
    'proxy_timeout 2000ms;',
  ])
    assert.ok(text.includes(expected), expected);
});

test('caddy: rewrites and redirects change the path as sent, the Host only upstream, and keep the query', () => {
  const routed = webRoutedBy([
    { name: 'api', pool: 'app', match: { path: { prefix: '/api/v1' } }, rewrite: { prefix: '/' } },
    {
      name: 'status',
      pool: 'app',
      match: { path: { exact: '/status' } },
      rewrite: { path: '/h', host: 'in' },
    },
    { name: 'moved', redirect: { status: 301, prefix: '/new$1' }, match: { path: { prefix: '/old' } } },
    { name: 'secure', redirect: { status: 308, scheme: 'https', port: 8443 }, match: {} },
  ]);
  const { routes } = JSON.parse(renderCaddyConfig(routed, context)).apps.http.servers['listener-web'];
  const byPath = (pattern: string) =>
    routes.find((route: { match?: { path_regexp?: { pattern: string } }[] }) =>
      route.match?.[0]?.path_regexp?.pattern.startsWith(pattern),
    ).handle;
  assert.deepEqual(byPath('^/api/v1')[0].path_regexp, [{ find: '^/api/v1/?', replace: '/' }]);
  const status = byPath('^/status');
  assert.deepEqual(status[0].path_regexp, [{ find: '^.*$', replace: '/h' }]);
  assert.deepEqual(status[1].headers, { request: { set: { Host: ['in'] } } });
  const moved = byPath('^/old');
  assert.deepEqual(moved[0].path_regexp, [{ find: '^/old', replace: '/new$$1' }], 'a "$" is literal');
  assert.deepEqual(moved[1].headers.Location, ['http://{http.request.hostport}{http.request.uri}']);
  const secure = routes.find((route: { match: unknown[] }) => JSON.stringify(route.match) === '[{}]');
  assert.deepEqual(secure.handle[0].headers.Location, ['https://{http.request.host}:8443{http.request.uri}']);
});

test('caddy: health checks with one-probe thresholds translate; what Caddy 2.6 cannot do is refused', () => {
  const checked = (
    healthCheck: NonNullable<ConfigDocument['pools'][string]['healthCheck']>,
  ): ConfigDocument => ({
    ...config,
    listeners: config.listeners.filter((listener) => listener.protocol === 'http'),
    pools: Object.fromEntries(
      Object.entries(config.pools).map(([name, pool]) => [name, { ...pool, healthCheck }]),
    ),
  });
  const document = JSON.parse(
    renderCaddyConfig(
      checked({ intervalMs: 100, timeoutMs: 50, unhealthyThreshold: 1, healthyThreshold: 1 }),
      context,
    ),
  );
  const [proxy] = document.apps.http.servers['listener-web'].routes[0].handle;
  assert.deepEqual(proxy.health_checks.active, {
    uri: '/health',
    interval: '100ms',
    timeout: '50ms',
    expect_status: 200,
  });
  assert.throws(
    () => renderCaddyConfig(checked({ intervalMs: 100 }), context),
    /healthy threshold other than 1/,
  );
  assert.throws(
    () => renderCaddyConfig(checked({ type: 'tcp', unhealthyThreshold: 1, healthyThreshold: 1 }), context),
    /a tcp probe/,
  );
});

// The test config with one HTTP listener, "web", routing by `routes`.
function webRoutedBy(routes: RouteDocument[]): ConfigDocument {
  return { ...config, listeners: [{ name: 'web', protocol: 'http', address: '127.0.0.1:8080', routes }] };
}
