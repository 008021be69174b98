import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from './config/validate.ts';
import { buildPools, LoadCounters, type PoolRuntime, referencePoolParts } from './pools.ts';

function poolsOf(pools: Record<string, unknown>, now = { ms: 0 }) {
  const result = validateConfig({
    version: 1,
    listeners: [{ name: 'web', protocol: 'http', address: '127.0.0.1:8080', pool: 'main' }],
    pools,
  });
  assert.ok(result.ok, JSON.stringify(result));
  const log: string[] = [];
  const built = buildPools(result.config, {
    loads: new LoadCounters(),
    parts: referencePoolParts,
    log: (line) => log.push(line),
    clock: () => now.ms,
  });
  return { pools: built, log, main: built.get('main') as PoolRuntime };
}

const backends = (...ids: string[]) => ids.map((id, i) => ({ id, address: `127.0.0.1:${9001 + i}` }));
const picks = (pool: PoolRuntime, count: number) =>
  Array.from({ length: count }, () => pool.pick()?.id ?? '-').join('');
const failTimes = (pool: PoolRuntime, id: string, times: number) => {
  const upstream = pool.upstreams.find((u) => u.id === id);
  assert.ok(upstream);
  for (let i = 0; i < times; i++) pool.recordOutcome(upstream, { status: 500 });
};
const ejection = { consecutiveFailures: 2, baseEjectionMs: 1_000, maxEjectionPercent: 100 };

test('an ejected backend leaves the rotation until its ejection ends', () => {
  const now = { ms: 0 };
  const { main, log } = poolsOf(
    { main: { backends: backends('a', 'b', 'c'), outlierDetection: ejection } },
    now,
  );
  failTimes(main, 'a', 2);
  assert.equal(picks(main, 4), 'bcbc');
  assert.match(log.join('\n'), /backend "a" ejected for 1000 ms/);
  assert.deepEqual(
    main.describe().map((backend) => backend.ejected),
    [true, false, false],
  );
  now.ms = 1_000;
  assert.equal(main.describe()[0]?.ejected, false, 'the ejection is over at its end time');
  main.close();
});

test('a retry prefers a backend the request has not tried', () => {
  const { main } = poolsOf({ main: { backends: backends('a', 'b', 'c') } });
  const [a, b] = main.upstreams;
  assert.equal(main.pick(new Set([a, b] as never[]))?.id, 'c');
  assert.equal(main.pick(new Set(main.upstreams))?.id !== undefined, true, 'all tried: any backend');
});

test('below the panic threshold every backend is used; with none available and no panic, nothing', () => {
  const { main, log } = poolsOf({
    main: { backends: backends('a', 'b', 'c', 'd'), outlierDetection: ejection, panicThresholdPercent: 50 },
  });
  failTimes(main, 'a', 2);
  assert.equal(picks(main, 3), 'bcd');
  failTimes(main, 'b', 2);
  assert.equal(picks(main, 2), 'cd', 'half available is not below 50%');
  failTimes(main, 'c', 2);
  assert.equal(picks(main, 4), 'abcd', 'panic: all of them');
  assert.match(log.join('\n'), /panic, 1 of 4 backends available/);
  main.close();
  const { main: noPanic } = poolsOf({ main: { backends: backends('a'), outlierDetection: ejection } });
  failTimes(noPanic, 'a', 2);
  assert.equal(noPanic.pick(), undefined);
  assert.equal(noPanic.hasAvailable, false);
  assert.equal(noPanic.retryAfterSeconds(), 1);
  noPanic.close();
});

test('a backup pool stands in only while the primary has nothing available', () => {
  const { main, pools } = poolsOf({
    main: {
      backends: backends('a'),
      outlierDetection: ejection,
      backupPool: 'spare',
      panicThresholdPercent: 100,
    },
    spare: { backends: [{ id: 's', address: '127.0.0.1:9100' }] },
  });
  assert.equal(picks(main, 2), 'aa');
  failTimes(main, 'a', 2);
  assert.equal(picks(main, 2), 'ss', 'the backup, not panic');
  assert.equal(main.hasAvailable, true);
  for (const pool of pools.values()) pool.close();
});

test('an open breaker takes its backend out; half-open admits exactly the trial requests', async () => {
  const now = { ms: 0 };
  const breaker = { consecutiveFailures: 2, openMs: 20, halfOpenRequests: 1 };
  const { main } = poolsOf({ main: { backends: backends('a', 'b'), circuitBreaker: breaker } }, now);
  failTimes(main, 'a', 2);
  assert.equal(picks(main, 4), 'bbbb');
  assert.equal(main.describe()[0]?.circuit, 'open');
  now.ms = 20;
  await new Promise((resolve) => setTimeout(resolve, 60)); // the half-open timer republishes
  assert.equal(main.describe()[0]?.circuit, 'half-open');
  assert.equal(picks(main, 6).replaceAll('b', ''), 'a', 'exactly one trial');
  const [a] = main.upstreams;
  main.recordOutcome(a as never, { status: 200 });
  assert.equal(main.describe()[0]?.circuit, 'closed');
  assert.equal(picks(main, 4), 'abab');
  main.close();
});

test('with every breaker open or every backend at its cap, the pool says which', () => {
  const { main } = poolsOf({
    main: { backends: backends('a'), circuitBreaker: { consecutiveFailures: 1, maxConcurrentRequests: 1 } },
  });
  const [a] = main.upstreams as unknown as [{ load: { active: number } }];
  a.load.active = 1;
  assert.equal(main.pick(), undefined);
  assert.equal(main.unavailability, 'overloaded');
  a.load.active = 0;
  failTimes(main, 'a', 1);
  assert.equal(main.pick(), undefined);
  assert.equal(main.unavailability, 'circuit-open');
  main.close();
});

test('4xx answers do not count against a breaker unless listed', () => {
  const { main } = poolsOf({ main: { backends: backends('a'), circuitBreaker: { consecutiveFailures: 2 } } });
  const [a] = main.upstreams;
  for (let i = 0; i < 5; i++) main.recordOutcome(a as never, { status: 404 });
  assert.equal(main.describe()[0]?.circuit, 'closed');
  main.close();
  const { main: strict } = poolsOf({
    main: { backends: backends('a'), circuitBreaker: { consecutiveFailures: 2, failureOn: [429] } },
  });
  const [s] = strict.upstreams;
  for (let i = 0; i < 2; i++) strict.recordOutcome(s as never, { status: 429 });
  assert.equal(strict.describe()[0]?.circuit, 'open');
  strict.close();
});

test('a draining backend is never picked, panic or not', () => {
  const { main } = poolsOf({
    main: {
      backends: [{ ...backends('a')[0], drain: true }, ...backends('x', 'b').slice(1)],
      panicThresholdPercent: 100,
    },
  });
  assert.equal(picks(main, 6), 'bbbbbb');
});
