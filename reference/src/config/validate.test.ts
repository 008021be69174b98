import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { testPki } from '../../../harness/tls/test-pki.ts';
import { formatIssues, parseConfig } from './load.ts';
import { shapeModuleSource } from './shape-module.ts';
import { configSchema, validateConfig } from './validate.ts';

test("the shape check compiled ahead of time is the current schema's", () => {
  const generated = readFileSync(new URL('config-shape.generated.ts', import.meta.url), 'utf8');
  assert.ok(
    generated === shapeModuleSource(configSchema),
    'reference/src/config/config-shape.generated.ts was generated from another schema: run `npm run generate`',
  );
});

test('the published schema is itself valid draft 2020-12 (the balancer skips this check when it starts)', () => {
  const ajv = new Ajv2020({ strict: true });
  assert.equal(ajv.validateSchema(configSchema), true, ajv.errorsText(ajv.errors));
  const broken = { ...configSchema, properties: { version: { type: 'integr' } } };
  assert.equal(ajv.validateSchema(broken), false, 'a misspelt type must be caught by the meta-schema');
});

const valid = {
  version: 1,
  admin: { address: '127.0.0.1:9900' },
  listeners: [{ name: 'web', protocol: 'http', address: '127.0.0.1:8080', pool: 'app' }],
  pools: {
    app: {
      backends: [
        { id: 'b1', address: '127.0.0.1:9001' },
        { id: 'b2', address: '[::1]:9002', weight: 3 },
      ],
    },
  },
};

function issuesOf(document: unknown) {
  const result = validateConfig(document);
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.issues;
}

test('a valid config gets its defaults filled in', () => {
  const result = validateConfig(valid);
  assert.ok(result.ok);
  assert.equal(result.config.pools.app?.algorithm, 'round_robin');
  assert.deepEqual(
    result.config.pools.app?.backends.map((b) => b.weight),
    [1, 3],
  );
  assert.equal(result.config.pools.app?.name, 'app');
});

test('every schema problem is listed with its pointer and a fix', () => {
  const issues = issuesOf({
    version: 2,
    listeners: [{ name: 'web', protocol: 'htp', address: '127.0.0.1', pool: 'app' }],
    pools: {
      app: { algoritm: 'round_robin', backends: [{ id: 'b1', address: '127.0.0.1:9001', weight: -1 }] },
    },
  });
  assert.deepEqual(
    issues.map((issue) => issue.pointer),
    [
      '/listeners/0/address',
      '/listeners/0/protocol',
      '/pools/app/algoritm',
      '/pools/app/backends/0/weight',
      '/version',
    ],
  );
  const typo = issues.find((issue) => issue.pointer === '/pools/app/algoritm');
  assert.match(typo?.fix ?? '', /did you mean "algorithm"/);
  assert.match(issues.find((i) => i.pointer === '/listeners/0/protocol')?.fix ?? '', /"http", "tcp"/);
  for (const issue of issues) assert.ok(issue.fix.length > 0, `no fix for ${issue.pointer}`);
});

test('missing required fields are named', () => {
  const issues = issuesOf({ version: 1, listeners: [] });
  assert.deepEqual(
    issues.map((issue) => [issue.pointer, issue.message]),
    [
      ['/listeners', '[] must NOT have fewer than 1 items'],
      ['/pools', '"pools" is required'],
    ],
  );
});

test('cross references are checked: unknown pool, duplicate ids, names and addresses, port range', () => {
  const issues = issuesOf({
    version: 1,
    admin: { address: '127.0.0.1:8080' },
    listeners: [
      { name: 'web', protocol: 'http', address: '127.0.0.1:8080', pool: 'nope' },
      { name: 'web', protocol: 'tcp', address: '127.0.0.1:70000', pool: 'app' },
    ],
    pools: {
      app: {
        backends: [
          { id: 'b1', address: '127.0.0.1:9001' },
          { id: 'b1', address: '127.0.0.1:0' },
        ],
      },
    },
  });
  assert.deepEqual(
    issues.map((issue) => issue.pointer),
    [
      '/listeners/0/address',
      '/listeners/0/pool',
      '/listeners/1/address',
      '/listeners/1/name',
      '/pools/app/backends/1/address',
      '/pools/app/backends/1/id',
    ],
  );
  assert.match(issues[1]?.fix ?? '', /"app"/);
});

test('bad pool names and wrong types are reported', () => {
  const issues = issuesOf({ version: 1, listeners: 'web', pools: { 'bad name': { backends: [] } } });
  assert.deepEqual(
    issues.map((issue) => issue.pointer),
    ['/listeners', '/pools/bad name', '/pools/bad name/backends'],
  );
  assert.match(issues[0]?.message ?? '', /must be an array, got a string/);
});

test('parseConfig reports JSON syntax errors and formats issues one per line', () => {
  assert.throws(
    () => parseConfig('{"version": 1,', 'broken.json'),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'LBSPEC_CONFIG_INVALID');
      assert.match(
        error.message,
        /^invalid config broken.json \(1 error\):\n {2}\(document\): not valid JSON/,
      );
      return true;
    },
  );
  assert.equal(
    formatIssues('x.json', [{ pointer: '/a', message: 'bad', fix: 'mend it' }]),
    'invalid config x.json (1 error):\n  /a: bad. Fix: mend it',
  );
});

test('schema and cross-reference problems are reported together', () => {
  const issues = issuesOf({
    version: 1,
    listeners: [{ name: 'web', protocol: 'http', address: '127.0.0.1:8080', pool: 'ap' }],
    pools: { app: { algoritm: 'round_robin', backends: [{ id: 'b1', address: '127.0.0.1:9001' }] } },
  });
  assert.deepEqual(
    issues.map((issue) => issue.pointer),
    ['/listeners/0/pool', '/pools/app/algoritm'],
  );
});

test('resilience settings get their documented defaults', () => {
  const result = validateConfig({
    ...valid,
    pools: {
      app: {
        ...valid.pools.app,
        healthCheck: { intervalMs: 100 },
        outlierDetection: {},
        retries: { attempts: 2, budget: { percent: 20 } },
      },
    },
  });
  assert.ok(result.ok);
  const pool = result.config.pools.app;
  assert.deepEqual(pool?.healthCheck, {
    type: 'http',
    path: '/health',
    expectedStatuses: [200],
    intervalMs: 100,
    timeoutMs: 1_000,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
    initialState: 'healthy',
  });
  assert.deepEqual(pool?.outlierDetection, {
    consecutiveFailures: 5,
    baseEjectionMs: 30_000,
    maxEjectionMs: 300_000,
    maxEjectionPercent: 10,
  });
  assert.deepEqual(pool?.retries, {
    attempts: 2,
    retryOn: ['connect-failure'],
    baseIntervalMs: 25,
    maxIntervalMs: 250,
    retryNonIdempotent: false,
    budget: { percent: 20, minRetries: 3 },
  });
  assert.deepEqual(pool?.timeouts, { connectMs: 5_000, responseMs: 60_000 });
  assert.equal(pool?.panicThresholdPercent, 0);
  const plain = validateConfig(valid);
  assert.ok(plain.ok);
  assert.equal(plain.config.pools.app?.retries, undefined, 'no retries unless asked for');
});

test('a backup pool must exist, be another pool, and have no backup of its own', () => {
  const backends = valid.pools.app.backends;
  const pointers = (pools: Record<string, unknown>) =>
    issuesOf({ ...valid, pools }).map((issue) => `${issue.pointer}: ${issue.message}`);
  assert.deepEqual(pointers({ app: { backends, backupPool: 'spare' } }), [
    '/pools/app/backupPool: pool "spare" is not defined',
  ]);
  assert.deepEqual(pointers({ app: { backends, backupPool: 'app' } }), [
    '/pools/app/backupPool: pool "app" names itself as its backup',
  ]);
  assert.deepEqual(
    pointers({
      app: { backends, backupPool: 'spare' },
      spare: { backends, backupPool: 'last' },
      last: { backends },
    }),
    ['/pools/app/backupPool: backup pool "spare" has a backup pool of its own ("last")'],
  );
});

test('retryOn accepts the named failures and 5xx statuses only', () => {
  const issues = issuesOf({
    ...valid,
    pools: { app: { ...valid.pools.app, retries: { attempts: 1, retryOn: ['reset', 404, 'teapot'] } } },
  });
  assert.ok(issues.some((issue) => issue.pointer === '/pools/app/retries/retryOn/1'));
  assert.ok(issues.some((issue) => issue.pointer === '/pools/app/retries/retryOn/2'));
});

test('routes: HTTP only, uniquely named, to pools that exist, with regexes that compile; a listener needs a pool or routes', () => {
  const backends = valid.pools.app.backends;
  const listener = { name: 'web', protocol: 'http', address: '127.0.0.1:8080' };
  const route = (name: string, pool: string, match: Record<string, unknown> = {}) => ({ name, pool, match });
  const messages = (listeners: unknown[]) =>
    issuesOf({ version: 1, listeners, pools: { app: { backends } } }).map(
      (issue) => `${issue.pointer}: ${issue.message}`,
    );
  assert.deepEqual(messages([listener]), ['/listeners/0/pool: the listener has neither a pool nor routes']);
  assert.deepEqual(messages([{ ...listener, protocol: 'tcp', pool: 'app', routes: [route('a', 'app')] }]), [
    '/listeners/0/routes: a TCP listener cannot route by content',
  ]);
  assert.deepEqual(
    messages([
      {
        ...listener,
        routes: [
          route('a', 'app'),
          route('a', 'nope'),
          route('b', 'app', { headers: [{ name: 'x', regex: '([' }] }),
        ],
      },
    ]),
    [
      '/listeners/0/routes/1/name: route name "a" is used twice',
      '/listeners/0/routes/1/pool: pool "nope" is not defined',
      '/listeners/0/routes/2/match/headers/0/regex: not a valid regular expression: Invalid regular expression: /([/: Unterminated character class',
    ],
  );
  const ok = validateConfig({
    version: 1,
    listeners: [{ ...listener, routes: [route('a', 'app')] }],
    pools: { app: { backends } },
  });
  assert.ok(ok.ok);
});

test('a route does exactly one thing, and its rewrites and header rules fit what it matches', () => {
  const backends = valid.pools.app.backends;
  const listener = { name: 'web', protocol: 'http', address: '127.0.0.1:8080' };
  const messages = (routes: Record<string, unknown>[]) =>
    issuesOf({
      version: 1,
      listeners: [
        { ...listener, routes: routes.map((route, i) => ({ name: `r${i}`, match: {}, ...route })) },
      ],
      pools: { app: { backends }, canary: { backends } },
    }).map((issue) => `${issue.pointer}: ${issue.message}`);
  assert.deepEqual(
    messages([
      {},
      { pool: 'app', redirect: { status: 301 } },
      {
        split: [
          { pool: 'app', weight: 0 },
          { pool: 'gone', weight: 0 },
        ],
      },
      { redirect: { status: 308, prefix: '/new' }, rewrite: { host: 'x' } },
      { pool: 'app', rewrite: { path: '/a', prefix: '/b' }, match: { path: { prefix: '/b' } } },
      {
        pool: 'app',
        requestHeaders: { set: { Host: 'x' } },
        responseHeaders: { remove: ['Content-Length'] },
      },
    ]),
    [
      '/listeners/0/routes/0: the route says nothing about where matched requests go',
      '/listeners/0/routes/1/redirect: the route has both "pool" and "redirect"',
      '/listeners/0/routes/2/split: every weight of the split is 0, so no request could go anywhere',
      '/listeners/0/routes/2/split/1/pool: pool "gone" is not defined',
      '/listeners/0/routes/3/redirect/prefix: "redirect.prefix" replaces the prefix the route matched, but the route matches no path prefix',
      '/listeners/0/routes/3/rewrite: a redirect sends nothing upstream, so "rewrite" would have no effect',
      '/listeners/0/routes/4/rewrite/prefix: "rewrite" has both "path" and "prefix"',
      '/listeners/0/routes/5/requestHeaders: header "Host" belongs to the balancer (framing, hop-by-hop or Host) and cannot be changed by a rule',
      '/listeners/0/routes/5/responseHeaders: header "Content-Length" belongs to the balancer (framing, hop-by-hop or Host) and cannot be changed by a rule',
    ],
  );
  const ok = validateConfig({
    version: 1,
    listeners: [
      {
        ...listener,
        routes: [
          {
            name: 'canary',
            match: {},
            split: [
              { pool: 'app', weight: 9 },
              { pool: 'canary', weight: 1 },
            ],
          },
          { name: 'moved', match: { path: { prefix: '/old' } }, redirect: { status: 301, prefix: '/new' } },
          {
            name: 'api',
            match: { path: { prefix: '/api/v1' } },
            pool: 'app',
            rewrite: { prefix: '/', host: 'internal' },
            requestHeaders: { set: { 'X-Api': '1' }, add: { Via: 'lb' }, remove: ['Cookie'] },
          },
        ],
      },
    ],
    pools: { app: { backends }, canary: { backends } },
  });
  assert.ok(ok.ok, JSON.stringify(ok));
});

test('consistent_hash needs a hashKey, only it takes one, and a TCP listener can hash only the client address', () => {
  const backends = valid.pools.app.backends;
  const messages = (pool: Record<string, unknown>, protocol = 'http') =>
    issuesOf({
      version: 1,
      listeners: [{ name: 'l', protocol, address: '127.0.0.1:8080', pool: 'app' }],
      pools: { app: { backends, ...pool } },
    }).map((issue) => `${issue.pointer}: ${issue.message}`);
  assert.deepEqual(messages({ algorithm: 'consistent_hash' }), [
    '/pools/app/hashKey: consistent_hash needs to know what to hash',
  ]);
  assert.deepEqual(messages({ hashKey: { from: 'path' } }), [
    '/pools/app/hashKey: "hashKey" has no effect with algorithm "round_robin"',
  ]);
  assert.deepEqual(messages({ algorithm: 'least_connections', hashBalanceFactor: 150 }), [
    '/pools/app/hashBalanceFactor: "hashBalanceFactor" belongs to consistent_hash, and has no effect with algorithm "least_connections"',
  ]);
  assert.deepEqual(messages({ hashMethod: 'maglev' }), [
    '/pools/app/hashMethod: "hashMethod" belongs to consistent_hash, and has no effect with algorithm "round_robin"',
  ]);
  assert.deepEqual(
    messages({ algorithm: 'consistent_hash', hashKey: { from: 'path' }, hashBalanceFactor: 99 }),
    ['/pools/app/hashBalanceFactor: 99 must be >= 100'],
  );
  const bounded = validateConfig({
    version: 1,
    listeners: [{ name: 'l', protocol: 'http', address: '127.0.0.1:8080', pool: 'app' }],
    pools: {
      app: { backends, algorithm: 'consistent_hash', hashKey: { from: 'path' }, hashBalanceFactor: 150 },
    },
  });
  assert.ok(bounded.ok && bounded.config.pools.app?.hashBalanceFactor === 150, JSON.stringify(bounded));
  assert.deepEqual(
    messages({ algorithm: 'consistent_hash', hashKey: { from: 'header', name: 'X-User' } }, 'tcp'),
    [
      '/pools/app/hashKey/from: a TCP listener balances over this pool, and a connection has no header to hash',
    ],
  );
  const tcpByAddress = validateConfig({
    version: 1,
    listeners: [{ name: 'l', protocol: 'tcp', address: '127.0.0.1:8080', pool: 'app' }],
    pools: { app: { backends, algorithm: 'consistent_hash', hashKey: { from: 'client-ip' } } },
  });
  assert.ok(tcpByAddress.ok);
});

test('a rate limit takes its defaults, and only an HTTP listener may have one', () => {
  const backends = valid.pools.app.backends;
  const limited = validateConfig({
    version: 1,
    listeners: [
      {
        name: 'l',
        protocol: 'http',
        address: '127.0.0.1:8080',
        pool: 'app',
        rateLimit: { capacity: 5, refillPerSecond: 1 },
      },
    ],
    pools: { app: { backends } },
  });
  assert.ok(limited.ok);
  assert.deepEqual(limited.config.listeners[0]?.rateLimit, {
    name: 'default',
    key: { from: 'client-ip' },
    capacity: 5,
    refillPerSecond: 1,
    overrides: [],
    trustedProxies: [],
    maxKeys: 100_000,
  });
  const issues = issuesOf({
    version: 1,
    listeners: [
      {
        name: 'l',
        protocol: 'tcp',
        address: '127.0.0.1:8080',
        pool: 'app',
        rateLimit: { capacity: 5, refillPerSecond: 1 },
      },
    ],
    pools: { app: { backends } },
  });
  assert.deepEqual(
    issues.map((issue) => `${issue.pointer}: ${issue.message}`),
    ['/listeners/0/rateLimit: a TCP listener cannot rate-limit requests'],
  );
});

test('the admin endpoint is loopback unless it has a token; a bare port means 127.0.0.1', () => {
  const withAdmin = (admin: Record<string, unknown>) => ({ ...valid, admin });
  const bare = validateConfig(withAdmin({ address: '9901' }));
  assert.ok(bare.ok);
  assert.equal(bare.config.admin?.address, '127.0.0.1:9901');
  for (const address of ['127.0.0.2:9901', '[::1]:9901', 'localhost:9901']) {
    assert.ok(validateConfig(withAdmin({ address })).ok, address);
  }
  const open = issuesOf(withAdmin({ address: '0.0.0.0:9901' }));
  assert.deepEqual(
    open.map((issue) => issue.pointer),
    ['/admin/address'],
  );
  assert.match(open[0]?.message ?? '', /would answer anyone/);
  assert.match(open[0]?.fix ?? '', /add "token"/);
  assert.ok(validateConfig(withAdmin({ address: '0.0.0.0:9901', token: 'a-token-of-16-chars' })).ok);
  const short = issuesOf(withAdmin({ address: '127.0.0.1:9901', token: 'short' }));
  assert.deepEqual(
    short.map((issue) => issue.pointer),
    ['/admin/token'],
  );
  const limits = issuesOf({
    ...valid,
    listeners: [{ ...valid.listeners[0], limits: { headerTimeoutMs: 5000, requestTimeoutMs: 1000 } }],
  });
  assert.deepEqual(
    limits.map((issue) => issue.pointer),
    ['/listeners/0/limits/requestTimeoutMs'],
  );
});

test('TLS: a listener needs a certificate and key that belong together, each SNI one a DNS name; a TCP listener and its pools none', async () => {
  const pki = await testPki();
  const [own, other, addressOnly] = await Promise.all([
    pki.leaf(['localhost']),
    pki.leaf(['other.test']),
    pki.leaf(['127.0.0.1']),
  ]);
  const listener = { ...valid.listeners[0], tls: { certificate: own.certificatePem, key: own.keyPem } };
  const accepted = validateConfig({ ...valid, listeners: [listener] });
  assert.ok(accepted.ok);
  assert.equal(accepted.ok && accepted.config.listeners[0]?.tls?.minVersion, 'TLSv1.2');

  const pointers = (document: unknown) =>
    issuesOf(document).map((issue) => `${issue.pointer}: ${issue.message}`);
  const mismatched = { ...listener, tls: { certificate: own.certificatePem, key: other.keyPem } };
  assert.match(
    pointers({ ...valid, listeners: [mismatched] }).join('\n'),
    /\/listeners\/0\/tls\/key: .*does not belong/,
  );
  const sni = {
    ...listener,
    tls: {
      ...listener.tls,
      sni: [
        { certificate: addressOnly.certificatePem, key: addressOnly.keyPem },
        { certificate: other.certificatePem, key: 'not a key' },
      ],
    },
  };
  const sniIssues = pointers({ ...valid, listeners: [sni] }).join('\n');
  assert.match(sniIssues, /\/listeners\/0\/tls\/sni\/0\/certificate: .*no DNS name/);
  assert.match(sniIssues, /\/listeners\/0\/tls\/sni\/1\/key/);
  const tcp = { ...listener, protocol: 'tcp' };
  assert.match(
    pointers({ ...valid, listeners: [tcp] }).join('\n'),
    /\/listeners\/0\/tls: a TCP listener cannot terminate TLS/,
  );

  const upstream = { tls: { ca: pki.caPem, serverName: 'localhost' } };
  const tcpOverTls = {
    ...valid,
    listeners: [{ name: 't', protocol: 'tcp', address: '127.0.0.1:8081', pool: 'app' }],
    pools: { app: { ...valid.pools.app, ...upstream } },
  };
  assert.match(
    pointers(tcpOverTls).join('\n'),
    /\/pools\/app\/tls: pool "app" speaks TLS to its backends, but a TCP listener/,
  );
  const http = validateConfig({ ...valid, pools: { app: { ...valid.pools.app, ...upstream } } });
  assert.equal(http.ok && http.config.pools.app?.tls?.serverName, 'localhost');
});
