import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  mainPools,
  onNewAddresses,
  routedConfig,
  singlePoolConfig,
  withListener,
  withMainPool,
  withPoolMembers,
  withRoutes,
} from './scenario-configs.ts';

const addressOf = (id: string) => `127.0.0.1:${{ b1: 9001, b2: 9002, b3: 9003 }[id] ?? 9999}`;
const admin = { address: '127.0.0.1:8000' };

const started = singlePoolConfig(
  { protocol: 'http', address: '127.0.0.1:7000' },
  admin,
  {
    algorithm: 'round_robin',
    members: [{ id: 'b1' }, { id: 'b2', weight: 3 }],
    settings: { retries: { attempts: 2 } },
  },
  addressOf,
);

test('a single-pool config: one listener "main" over pool "main", members in order, weights only where set', () => {
  assert.deepEqual(started, {
    version: 1,
    admin,
    listeners: [{ name: 'main', pool: 'main', protocol: 'http', address: '127.0.0.1:7000' }],
    pools: {
      main: {
        algorithm: 'round_robin',
        backends: [
          { id: 'b1', address: '127.0.0.1:9001' },
          { id: 'b2', address: '127.0.0.1:9002', weight: 3 },
        ],
        retries: { attempts: 2 },
      },
    },
  });
});

test('a backup pool is a round-robin pool the main pool names, only when the plan has one', () => {
  const pools = mainPools(
    { algorithm: 'least_connections', members: [{ id: 'b1' }], backupIds: ['b3'] },
    addressOf,
  );
  assert.equal(pools.main?.backupPool, 'backup');
  assert.deepEqual(pools.backup, {
    algorithm: 'round_robin',
    backends: [{ id: 'b3', address: '127.0.0.1:9003' }],
  });
  assert.deepEqual(Object.keys(mainPools({ algorithm: 'random', members: [], backupIds: [] }, addressOf)), [
    'main',
  ]);
});

test('a routed config gives every backend a pool of its own and leaves out what the scenario did not set', () => {
  const config = routedConfig({ address: '127.0.0.1:7000' }, admin, ['b1', 'b2'], addressOf);
  assert.deepEqual(config.listeners, [{ name: 'main', protocol: 'http', address: '127.0.0.1:7000' }]);
  assert.deepEqual(Object.keys(config.pools), ['b1', 'b2']);
  const routes = [{ name: 'a', match: { path: { prefix: '/a' } }, pool: 'b1' }];
  const withDefault = routedConfig(
    { address: '127.0.0.1:7000', routes, pool: 'b2' },
    admin,
    ['b1', 'b2'],
    addressOf,
  );
  assert.deepEqual(withDefault.listeners[0]?.routes, routes);
  assert.equal(withDefault.listeners[0]?.pool, 'b2');
});

test('an added listener copies the main pool into a pool of its own, with its own settings', () => {
  const config = withListener(started, 'slow', '127.0.0.1:7001', { timeouts: { responseMs: 50 } });
  assert.deepEqual(config.listeners[1], {
    name: 'slow',
    protocol: 'http',
    address: '127.0.0.1:7001',
    pool: 'slow',
  });
  assert.deepEqual(config.pools.slow, {
    algorithm: 'round_robin',
    backends: started.pools.main?.backends,
    timeouts: { responseMs: 50 },
  });
  assert.deepEqual(config.pools.main, started.pools.main, 'the main pool is untouched');
});

test('a re-planned main pool keeps its other settings; changed members keep the rest of the pool', () => {
  const replanned = withMainPool(started, { algorithm: 'random', members: [{ id: 'b3' }] }, addressOf);
  assert.deepEqual(replanned.pools.main, {
    algorithm: 'random',
    backends: [{ id: 'b3', address: '127.0.0.1:9003' }],
    retries: { attempts: 2 },
  });
  const fewer = withPoolMembers(started, (backends) => backends.slice(1));
  assert.deepEqual(
    fewer.pools.main?.backends.map((backend) => backend.id),
    ['b2'],
  );
  assert.deepEqual(fewer.pools.main?.retries, { attempts: 2 });
  assert.equal(started.pools.main?.backends.length, 2, 'the config it was made from is unchanged');
});

test('new routes go to the first listener only', () => {
  const two = withListener(started, 'other', '127.0.0.1:7001', {});
  const routes = [{ name: 'x', match: { path: { prefix: '/x' } }, pool: 'main' }];
  const routed = withRoutes(two, routes);
  assert.deepEqual(routed.listeners[0]?.routes, routes);
  assert.equal(routed.listeners[1]?.routes, undefined);
});

test('a second instance gets every listener on a new address, in order, and an admin endpoint without token', () => {
  const tokened = {
    ...withListener(started, 'other', '127.0.0.1:7001', {}),
    admin: { ...admin, token: 't' },
  };
  const second = onNewAddresses(tokened, ['127.0.0.1:7100', '127.0.0.1:7101'], '127.0.0.1:8100');
  assert.deepEqual(
    second.listeners.map((listener) => [listener.name, listener.address]),
    [
      ['main', '127.0.0.1:7100'],
      ['other', '127.0.0.1:7101'],
    ],
  );
  assert.deepEqual(second.admin, { address: '127.0.0.1:8100' });
  assert.deepEqual(second.pools, tokened.pools);
  assert.throws(
    () => onNewAddresses(tokened, ['127.0.0.1:7100'], '127.0.0.1:8100'),
    /2 listeners need as many/,
  );
});
