import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allCapabilities } from './capabilities.ts';
import {
  configRequirements,
  fieldsByCapability,
  undeclaredRequirements,
  valueDependentRules,
} from './config-capabilities.ts';
import type { ConfigDocument } from './config-document.ts';

const backends = [
  { id: 'b1', address: '127.0.0.1:1' },
  { id: 'b2', address: '127.0.0.1:2' },
];

const config = (pool: Record<string, unknown>, listener: Record<string, unknown> = {}): ConfigDocument =>
  ({
    version: 1,
    admin: { address: '127.0.0.1:3' },
    listeners: [{ name: 'main', protocol: 'http', address: '127.0.0.1:4', pool: 'main', ...listener }],
    pools: { main: { algorithm: 'round_robin', backends, ...pool } },
  }) as ConfigDocument;

const declared = (...names: string[]) => new Set(names);

test('a config needs its protocol and algorithm, and each setting its capability', () => {
  assert.deepEqual(undeclaredRequirements(config({}), 'start', declared('l7', 'round-robin')), []);
  assert.deepEqual(undeclaredRequirements(config({}), 'start', declared('l7')), [
    '@round-robin (for /pools/main/algorithm)',
  ]);
  const checked = config({ healthCheck: { intervalMs: 100, initialState: 'unhealthy' } });
  assert.deepEqual(undeclaredRequirements(checked, 'start', declared('l7', 'round-robin')), [
    '@active-health-checks (for /pools/main/healthCheck)',
    '@health-check-thresholds (for /pools/main/healthCheck)',
    '@initial-health-state (for /pools/main/healthCheck/initialState)',
  ]);
  // Fall and rise of 1 need no thresholds; a TCP probe needs its own capability.
  const tcpOnce = config({ healthCheck: { type: 'tcp', unhealthyThreshold: 1, healthyThreshold: 1 } });
  assert.deepEqual(
    undeclaredRequirements(tcpOnce, 'start', declared('l7', 'round-robin', 'active-health-checks')),
    ['@tcp-health-checks (for /pools/main/healthCheck)'],
  );
});

test('a pool of one backend needs no algorithm', () => {
  const single = config({ algorithm: 'least_connections', backends: backends.slice(0, 1) });
  assert.deepEqual(undeclaredRequirements(single, 'start', declared('l7')), []);
});

test('unequal weights need load-aware weights under least connections and power of two choices only', () => {
  const weighted = [{ ...backends[0], weight: 3 }, backends[1]];
  for (const algorithm of ['least_connections', 'power_of_two_choices'] as const) {
    const capability = algorithm === 'least_connections' ? 'least-connections' : 'power-of-two-choices';
    assert.deepEqual(
      undeclaredRequirements(config({ algorithm, backends: weighted }), 'start', declared('l7', capability)),
      ['@load-aware-weights (for /pools/main/algorithm)'],
    );
    const even = backends.map((backend) => ({ ...backend, weight: 2 }));
    assert.deepEqual(
      undeclaredRequirements(config({ algorithm, backends: even }), 'start', declared('l7', capability)),
      [],
    );
  }
  const rotation = config({ algorithm: 'weighted_round_robin', backends: weighted });
  assert.deepEqual(undeclaredRequirements(rotation, 'start', declared('l7', 'weighted-round-robin')), []);
});

test('retries need backoff unless both intervals are 0, and a budget its own capability', () => {
  const base = declared('l7', 'round-robin', 'retries');
  assert.deepEqual(undeclaredRequirements(config({ retries: { attempts: 1 } }), 'start', base), [
    '@retry-backoff (for /pools/main/retries)',
  ]);
  const conditions = { attempts: 1, baseIntervalMs: 0, retryOn: ['reset', 503], retryNonIdempotent: true };
  assert.deepEqual(undeclaredRequirements(config({ retries: conditions }), 'start', base), [
    '@retry-on-reset (for /pools/main/retries)',
    '@retry-on-status (for /pools/main/retries)',
    '@retry-non-idempotent (for /pools/main/retries)',
  ]);
  const noWait = { attempts: 1, baseIntervalMs: 0, maxIntervalMs: 0 };
  assert.deepEqual(undeclaredRequirements(config({ retries: noWait }), 'start', base), []);
  assert.deepEqual(
    undeclaredRequirements(config({ retries: { ...noWait, budget: { percent: 20 } } }), 'start', base),
    ['@retry-budget (for /pools/main/retries)'],
  );
});

test('a limit two capabilities share is met by either', () => {
  const limited = config({}, { limits: { maxHeaderBytes: 8192 } });
  const base = ['l7', 'round-robin'];
  assert.deepEqual(undeclaredRequirements(limited, 'start', declared(...base, 'request-line-limit')), []);
  assert.deepEqual(undeclaredRequirements(limited, 'start', declared(...base, 'size-limits')), []);
  assert.deepEqual(undeclaredRequirements(limited, 'start', declared(...base)), [
    '@size-limits or @request-line-limit (for /listeners/0/limits/maxHeaderBytes)',
  ]);
});

test('a reload under traffic needs a hitless reload; a reload between steps does not', () => {
  const base = declared('l7', 'round-robin');
  assert.deepEqual(undeclaredRequirements(config({}), 'reload', base), []);
  assert.deepEqual(undeclaredRequirements(config({}), 'reload-under-traffic', base), [
    '@hitless-reload (for (reload))',
  ]);
});

test('a config field the audit has no rule for is an error naming it', () => {
  assert.throws(
    () => configRequirements(config({ slowStart: { windowMs: 1000 } })),
    /no rule for config field \/pools\/main\/slowStart \(pools\.\*\.slowStart\)/,
  );
});

test('the audit names only known capabilities', () => {
  const everything = config(
    {
      healthCheck: { initialState: 'healthy' },
      outlierDetection: {},
      retries: { attempts: 1, budget: { percent: 1 } },
      timeouts: { connectMs: 1, responseMs: 1 },
      panicThresholdPercent: 50,
      backupPool: 'main',
      circuitBreaker: {},
      stickySession: { secret: 'x' },
      hashKey: { from: 'path' },
      hashBalanceFactor: 150,
      hashMethod: 'maglev',
    },
    {
      rateLimit: { capacity: 1, refillPerSecond: 1 },
      limits: {
        maxConnectionsPerClient: 1,
        headerTimeoutMs: 1,
        requestTimeoutMs: 1,
        maxBodyBytes: 1,
        idleTimeoutMs: 1,
      },
      routes: [{ name: 'r', pool: 'main', match: {}, rewrite: {}, requestHeaders: {}, rateLimit: {} }],
    },
  );
  for (const { requirement } of configRequirements(everything)) {
    for (const capability of typeof requirement === 'string' ? [requirement] : requirement)
      assert.ok(allCapabilities.includes(capability), capability);
  }
});

test('rules that depend on a value need only what the docs say they can', () => {
  const documented = (path: string) => new Set(valueDependentRules[path]?.map(([capability]) => capability));
  const needs = (document: ConfigDocument) =>
    configRequirements(document).flatMap(({ requirement }) =>
      typeof requirement === 'string' ? [requirement] : [...requirement],
    );
  for (const protocol of ['http', 'tcp'])
    assert.ok(
      needs(config({}, { protocol })).every(
        (c) => c === 'round-robin' || documented('listeners[].protocol').has(c),
      ),
    );
  for (const [algorithm] of Object.entries({
    round_robin: 1,
    weighted_round_robin: 1,
    least_connections: 1,
    power_of_two_choices: 1,
    random: 1,
    consistent_hash: 1,
  })) {
    const used = needs(config({ algorithm })).filter((c) => c !== 'l7');
    assert.ok(
      used.every((c) => documented('pools.*.algorithm').has(c)),
      algorithm,
    );
  }
  for (const hashMethod of ['ring', 'maglev']) {
    const used = needs(config({ hashMethod })).filter((c) => c !== 'l7' && c !== 'round-robin');
    assert.ok(
      used.every((c) => documented('pools.*.hashMethod').has(c)),
      hashMethod,
    );
  }
  const retries = needs(config({ retries: { attempts: 1, budget: { percent: 5 } } })).filter(
    (c) => c !== 'l7' && c !== 'round-robin',
  );
  assert.ok(retries.every((c) => documented('pools.*.retries').has(c)));
  assert.ok(
    fieldsByCapability()
      .get('maglev')
      ?.some((line) => line.startsWith('pools.*.hashMethod')),
  );
});
