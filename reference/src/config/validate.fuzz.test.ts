// Fuzzing the config validator: whatever it is given, it answers with a config or with problems
// that each say where, what and how to fix; it never throws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { untilBudget } from '../testing/fuzz-budget.ts';
import { ConfigError, parseConfig } from './load.ts';
import { validateConfig } from './validate.ts';

const valid = {
  version: 1,
  admin: { address: '127.0.0.1:9900', token: 'a-token-of-16-chars' },
  listeners: [
    {
      name: 'web',
      protocol: 'http',
      address: '127.0.0.1:8080',
      pool: 'app',
      routes: [{ name: 'api', pool: 'app', match: { path: { prefix: '/api' } } }],
      limits: { headerTimeoutMs: 1000, maxBodyBytes: 1024 },
      rateLimit: { capacity: 5, refillPerSecond: 1 },
    },
  ],
  pools: {
    app: {
      algorithm: 'consistent_hash',
      hashKey: { header: 'X-User' },
      backends: [
        { id: 'b1', address: '127.0.0.1:9001' },
        { id: 'b2', address: '[::1]:9002', weight: 3 },
      ],
      healthCheck: { path: '/health' },
      retries: { attempts: 2 },
    },
  },
};

function expectAnswered(document: unknown): void {
  const result = validateConfig(document);
  if (result.ok) {
    assert.equal(result.config.version, 1);
    for (const pool of Object.values(result.config.pools)) assert.equal(typeof pool.algorithm, 'string');
    return;
  }
  assert.ok(result.issues.length > 0, 'a refusal names at least one problem');
  for (const issue of result.issues) {
    assert.match(issue.pointer, /^(\/.*)?$/, `pointer ${issue.pointer}`);
    assert.ok(issue.message.length > 0 && issue.fix.length > 0, JSON.stringify(issue));
  }
}

// A path into the valid config, and a value to put there (or undefined: delete it).
const edit = fc.record({
  path: fc.array(
    fc.oneof(
      fc.constantFrom(
        'version',
        'admin',
        'address',
        'token',
        'listeners',
        'pools',
        'app',
        'backends',
        'routes',
        'limits',
        'rateLimit',
        'weight',
        'id',
        'pool',
        'match',
        'path',
        'prefix',
        'algorithm',
        'hashKey',
        'retries',
        'healthCheck',
      ),
      fc.nat(2),
    ),
    { minLength: 1, maxLength: 5 },
  ),
  value: fc.oneof(fc.jsonValue(), fc.constant(undefined)),
});

function applyEdit(
  document: unknown,
  { path, value }: { path: (string | number)[]; value: unknown },
): unknown {
  const copy = structuredClone(document) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) return copy;
    node = next as Record<string | number, unknown>;
  }
  const last = path.at(-1) as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

test('the validator answers any JSON value, never throwing', () => {
  fc.assert(fc.property(fc.jsonValue(), expectAnswered), untilBudget());
});

test('the validator answers any edit of a valid config, never throwing', () => {
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
      expectAnswered(edits.reduce<unknown>(applyEdit, valid));
    }),
    untilBudget(),
  );
});

test('config text that is not a valid config is refused as such, never with another error', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
      ),
      (text) => {
        try {
          parseConfig(text, 'fuzz.json');
        } catch (error) {
          assert.ok(error instanceof ConfigError, String(error));
        }
      },
    ),
    untilBudget(),
  );
});
