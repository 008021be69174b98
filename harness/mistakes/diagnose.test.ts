import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mistakes } from './catalogue.ts';
import { diagnose } from './diagnose.ts';
import type { MeasuredExchange, Measurements } from './measurements.ts';
import { suggested } from './signature-testing.ts';

const three = [
  { id: 'b1', weight: 1 },
  { id: 'b2', weight: 1 },
  { id: 'b3', weight: 1 },
];

/** One client's requests, one after another, answered by `order`. */
function sequential(order: readonly string[], durationMs = 1): MeasuredExchange[] {
  return order.map((backendId, seq) => ({ client: 0, seq, sentAtMs: seq, durationMs, backendId }));
}

function measured(
  scenario: string,
  exchanges: readonly MeasuredExchange[],
  backends: Measurements['backends'] = three,
): Measurements {
  return { scenario, backends, exchanges };
}

const repeat = (turn: readonly string[], times: number) => Array.from({ length: times }, () => turn).flat();
const top = suggested;

test('a rotation in the wrong order is told from a random pick and from a wrong wrap-around', () => {
  const scenario = 'rr-requests-rotate-order-config-http';
  assert.deepEqual(top(measured(scenario, sequential(repeat(['b3', 'b2', 'b1'], 4)))), [
    'rotation-not-in-config-order',
  ]);
  assert.deepEqual(top(measured(scenario, sequential(repeat(['b1', 'b2'], 6)))), ['rotation-wraps-wrong']);
  const random = ['b2', 'b2', 'b1', 'b3', 'b1', 'b1', 'b3', 'b2', 'b3', 'b3', 'b1', 'b2'];
  assert.deepEqual(top(measured(scenario, sequential(random))), ['random-instead-of-rotation']);
});

test("a correct balancer's measurements fit no mistake, in any scenario the catalogue knows", () => {
  const rotation = sequential(repeat(['b2', 'b3', 'b1'], 4));
  for (const scenario of new Set(mistakes.flatMap((mistake) => mistake.scenarios))) {
    assert.deepEqual(top(measured(scenario, rotation)), [], scenario);
  }
});

test('new connections that all start at the first backend point to a rotation kept per connection', () => {
  const clients = Array.from({ length: 6 }, (_, client) => ({
    client,
    seq: 0,
    sentAtMs: client,
    durationMs: 1,
    backendId: 'b1',
  }));
  // One request per connection, all on the first backend: a rotation per connection, or none at all.
  assert.deepEqual(top(measured('rr-clients-connections-own-share', clients)), [
    'rotation-state-per-connection',
    'everything-to-first-backend',
  ]);
  // Three connections taking turns, each with a rotation of its own starting at b1.
  const turns = sequential(repeat(['b1', 'b1', 'b1', 'b2', 'b2', 'b2', 'b3', 'b3', 'b3'], 2));
  assert.deepEqual(top(measured('rr-clients-connections-own-share', turns)), [
    'rotation-state-per-connection',
  ]);
});

test('weights: an even split points to ignored weights, a burst as long as the weight to naive expansion', () => {
  const weighted = [
    { id: 'b1', weight: 5 },
    { id: 'b2', weight: 1 },
    { id: 'b3', weight: 1 },
  ];
  const scenario = 'wrr-heterogeneous-weights-1-100';
  assert.equal(
    top(measured(scenario, sequential(repeat(['b1', 'b2', 'b3'], 7)), weighted))[0],
    'weights-ignored',
  );
  const bursts = repeat(['b1', 'b1', 'b1', 'b1', 'b1', 'b2', 'b3'], 3);
  assert.deepEqual(top(measured(scenario, sequential(bursts), weighted)), ['weighted-bursts']);
  const smooth = repeat(['b1', 'b1', 'b2', 'b1', 'b3', 'b1', 'b1'], 3);
  assert.deepEqual(top(measured(scenario, sequential(smooth), weighted)), []);
});

test('random that never reaches the last backend, and ties that go to the first listed', () => {
  const missesLast = sequential(repeat(['b1', 'b2'], 30));
  assert.deepEqual(top(measured('random-requests-spread-uniformly-over', missesLast)), [
    'random-index-off-by-one',
  ]);
  const falling = sequential([...repeat(['b1'], 50), ...repeat(['b2'], 30), ...repeat(['b3'], 20)]);
  assert.deepEqual(top(measured('p2c-equally-loaded-backends-share', falling)), [
    'ties-broken-by-list-order',
  ]);
});

test('a slow backend that keeps its share points to load never released (lc) or never compared (p2c)', () => {
  const exchanges = sequential(repeat(['b1', 'b2', 'b3'], 10)).map((exchange) => ({
    ...exchange,
    durationMs: exchange.backendId === 'b3' ? 200 : 5,
  }));
  assert.deepEqual(top(measured('lc-slow-backend-receives-far-http', exchanges)), ['load-never-released']);
  assert.deepEqual(top(measured('p2c-slow-backend-receives-well', exchanges)), ['load-not-compared']);
  const avoided = exchanges.filter((exchange) => exchange.backendId !== 'b3' || exchange.seq < 3);
  assert.deepEqual(top(measured('lc-slow-backend-receives-far-http', avoided)), []);
});

test('later requests that avoid the backend which carried the failures point to counts released on success only', () => {
  const avoided = sequential(['b2', 'b3', 'b2', 'b3', 'b2', 'b3']);
  assert.deepEqual(top(measured('lc-in-flight-counts-return-zero', avoided)), [
    'load-released-only-on-success',
  ]);
  const reached = sequential(['b1', 'b1', 'b1', 'b1', 'b1', 'b1']);
  assert.deepEqual(top(measured('lc-in-flight-counts-return-zero', reached)), []);
});

test("a signature that throws fits nothing; the catalogue's ids are unique and every entry is complete", () => {
  const throwing = {
    ...mistakes[0],
    signature: () => {
      throw new Error('no');
    },
  } as (typeof mistakes)[number];
  assert.deepEqual(diagnose(measured(throwing.scenarios[0] as string, []), [throwing]), []);
  const ids = mistakes.map(({ id }) => id);
  assert.equal(new Set(ids).size, ids.length);
  for (const mistake of mistakes) {
    for (const field of ['concept', 'title', 'mistake', 'shows', 'rootCause', 'fix'] as const)
      assert.ok(mistake[field].length > 3, `${mistake.id}: ${field}`);
    assert.ok(mistake.scenarios.length > 0, mistake.id);
  }
});

test('retries: failures while another backend answered point to retrying the failed backend; more arrivals than requests to a retried POST', () => {
  const retrying = { attempts: 2, nonIdempotent: false };
  const failed = sequential(['b1', 'b2', 'b3', 'b1', 'b2', 'b3']).map((exchange) =>
    exchange.backendId === 'b1' ? { ...exchange, status: 503 } : { ...exchange, status: 200 },
  );
  const scenario = 'retry-goes-backend-has-failed';
  assert.deepEqual(top({ ...measured(scenario, failed), retries: retrying }), [
    'retry-to-the-failed-backend',
  ]);
  assert.deepEqual(top(measured(scenario, failed)), [], 'a pool without retries retries nowhere');
  const answered = sequential(repeat(['b2'], 10)).map((exchange) => ({ ...exchange, status: 200 }));
  const twice = { ...measured('retry-post-reached-backend-retried', answered), retries: retrying };
  assert.deepEqual(top({ ...twice, received: { b1: 5, b2: 10 } }), ['non-idempotent-retried']);
  assert.deepEqual(top({ ...twice, received: { b1: 0, b2: 10 } }), []);
  assert.deepEqual(
    top({ ...twice, retries: { attempts: 2, nonIdempotent: true }, received: { b1: 5, b2: 10 } }),
    [],
  );
});

test("a route's split that shares its pools evenly against unequal weights points to split weights ignored", () => {
  const split = [
    { pool: 'b1', weight: 90, backends: ['b1'] },
    { pool: 'b2', weight: 10, backends: ['b2'] },
    { pool: 'b3', weight: 0, backends: ['b3'] },
  ];
  const scenario = 'action-canary-split-sends-pool';
  const even = { ...measured(scenario, sequential(repeat(['b1', 'b2', 'b3'], 30))), split };
  assert.deepEqual(top(even), ['split-weights-ignored']);
  const weighted = {
    ...measured(scenario, sequential([...repeat(['b1'], 85), ...repeat(['b2'], 15)])),
    split,
  };
  assert.deepEqual(top(weighted), []);
});
