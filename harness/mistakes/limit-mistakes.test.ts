import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketOf } from './limit-mistakes.ts';
import type { LimitedRunMeasured, Measurements } from './measurements.ts';
import { suggested } from './signature-testing.ts';

type Limit = NonNullable<Measurements['rateLimit']>;
const byAddress: Limit = {
  key: 'client-ip',
  capacity: 3,
  refillPerSecond: 0.5,
  trustedProxies: ['127.0.0.9'],
};

/** A run from `from`: each status answered 10 ms after the last, from `startMs`. */
const run = (
  from: string,
  statuses: readonly number[],
  headers: readonly [string, string][] = [],
  startMs = 0,
): LimitedRunMeasured => ({
  from,
  headers,
  answers: statuses.map((status, i) => ({ status, sentAtMs: startMs + 10 * i })),
});

const measured = (
  scenario: string,
  rateLimit: Limit,
  limitedRuns: readonly LimitedRunMeasured[],
  extra: Partial<Measurements> = {},
): Measurements => ({
  scenario,
  backends: [{ id: 'b1', weight: 1 }],
  exchanges: [],
  rateLimit,
  limitedRuns,
  ...extra,
});
const top = suggested;

test("a run's bucket: its address, a trusted proxy's forwarded address, its key, or its address without one", () => {
  assert.equal(
    bucketOf(run('127.0.0.2', [], [['X-Forwarded-For', '127.0.0.3']]), byAddress),
    'address 127.0.0.2',
  );
  assert.equal(
    bucketOf(run('127.0.0.9', [], [['X-Forwarded-For', '10.0.0.1, 10.1.1.1']]), byAddress),
    'address 10.1.1.1',
  );
  const byKey: Limit = { ...byAddress, key: 'header', header: 'X-Api-Key', whenMissing: 'client-ip' };
  assert.equal(bucketOf(run('127.0.0.2', [], [['x-api-key', 'gold']]), byKey), 'key gold');
  assert.equal(bucketOf(run('127.0.0.2', []), byKey), 'address 127.0.0.2');
  assert.equal(bucketOf(run('127.0.0.2', []), { ...byKey, whenMissing: 'reject' }), undefined);
});

test('buckets of their own fit nothing; a second client refused at once points to one bucket for all', () => {
  const scenario = 'ratelimit-client-address-has-bucket';
  const own = [run('127.0.0.2', [200, 200, 200, 429, 429]), run('127.0.0.3', [200, 200, 200])];
  assert.deepEqual(top(measured(scenario, byAddress, own)), []);
  const shared = [run('127.0.0.2', [200, 200, 200, 429, 429]), run('127.0.0.3', [429, 429, 429])];
  assert.deepEqual(top(measured(scenario, byAddress, shared)), ['rate-limit-one-bucket-for-all']);
});

test("a forged X-Forwarded-For that spent the named client's bucket points to trusting anyone's", () => {
  const runs = [
    run('127.0.0.2', [200, 200, 200, 429, 429], [['X-Forwarded-For', '127.0.0.3']]),
    run('127.0.0.3', [429, 429, 429]),
  ];
  assert.deepEqual(top(measured('ratelimit-forged-x-forwarded-for-neither-dodges', byAddress, runs)), [
    'rate-limit-one-bucket-for-all',
    'rate-limit-trusts-any-forwarded-for',
  ]);
});

test('a global limit passing more than its bucket, and keyless clients sharing one bucket', () => {
  const global: Limit = { key: 'global', capacity: 4, refillPerSecond: 0.01, trustedProxies: [] };
  const perClient = [run('127.0.0.2', [200, 200, 200]), run('127.0.0.3', [200, 200, 200])];
  assert.deepEqual(top(measured('ratelimit-global-limit-bucket-client', global, perClient)), [
    'rate-limit-global-bucket-per-client',
  ]);
  const one = [run('127.0.0.2', [200, 200, 200]), run('127.0.0.3', [200, 429, 429])];
  assert.deepEqual(top(measured('ratelimit-global-limit-bucket-client', global, one)), []);
  const byKey: Limit = {
    ...byAddress,
    key: 'header',
    header: 'X-Api-Key',
    whenMissing: 'client-ip',
    capacity: 2,
  };
  const keyless = [run('127.0.0.2', [200, 200, 429, 429]), run('127.0.0.3', [429, 429])];
  assert.deepEqual(top(measured('ratelimit-without-api-key-request', byKey, keyless)), [
    'rate-limit-one-bucket-for-all',
    'rate-limit-keyless-one-bucket',
  ]);
});

test('no refill, upgrades past the limit, and a table of keys that grows', () => {
  const refill: Limit = { ...byAddress, capacity: 5, refillPerSecond: 1 };
  const stuck = run('127.0.0.2', [200, 200, 200, 200, 200, 429, 429, 429]);
  const polled = { ...stuck, answers: [...stuck.answers, { status: 429, sentAtMs: 1_400 }] };
  assert.deepEqual(top(measured('ratelimit-exactly-capacity-passes-rest', refill, [polled])), [
    'rate-limit-never-refills',
  ]);
  const refilled = { ...stuck, answers: [...stuck.answers, { status: 200, sentAtMs: 1_050 }] };
  assert.deepEqual(top(measured('ratelimit-exactly-capacity-passes-rest', refill, [refilled])), []);
  const upgrades = { upgradeStatuses: [101, 101, 101, 101] };
  assert.deepEqual(
    top(measured('ratelimit-websocket-upgrade-spends-token', { ...byAddress, capacity: 2 }, [], upgrades)),
    ['rate-limit-skips-upgrades'],
  );
  const flood = { keyFlood: { count: 25_000, keyBytes: 8_000, grewBytes: 150 * 2 ** 20 } };
  assert.deepEqual(top(measured('ratelimit-twenty-five-thousand-keys-do', byAddress, [], flood)), [
    'rate-limit-table-unbounded',
  ]);
});

test('a fleet whose instances each keep their own buckets: one bucket spread over them passed past its capacity', () => {
  const shared: Limit = { ...byAddress, capacity: 3, refillPerSecond: 0.1, sharedStore: true };
  const spread = (statuses: readonly number[]): LimitedRunMeasured => ({
    from: '127.0.0.2',
    headers: [],
    answers: statuses.map((status, i) => ({ status, sentAtMs: 10 * i, via: `127.0.0.1:${2000 + (i % 3)}` })),
  });
  const perInstance = spread([200, 200, 200, 200, 200, 200, 200, 200, 200, 429, 429, 429]);
  assert.equal(
    top(measured('fleet-limit-holds-across-instances', shared, [perInstance]))[0],
    'rate-limit-per-instance',
  );
  const asOne = spread([200, 200, 200, 429, 429, 429]);
  assert.ok(
    !top(measured('fleet-limit-holds-across-instances', shared, [asOne])).includes('rate-limit-per-instance'),
  );
  const oneInstance = {
    ...perInstance,
    answers: perInstance.answers.map((answer) => ({ ...answer, via: 'one' })),
  };
  assert.ok(
    !top(measured('fleet-limit-holds-across-instances', shared, [oneInstance])).includes(
      'rate-limit-per-instance',
    ),
    'a single instance that overgrants is another mistake',
  );
});
