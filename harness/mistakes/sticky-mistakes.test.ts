import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Measurements } from './measurements.ts';
import { suggested } from './signature-testing.ts';

type Sticky = NonNullable<Measurements['sticky']>;
const token = 'lb=9f2c41d0a7; Path=/; HttpOnly; SameSite=Lax';
const answer = (backend: string, setCookie?: string, sentCookie?: string) => ({
  backend,
  setCookie,
  sentCookie,
});
const addresses = { b1: '127.0.0.1:9001', b2: '127.0.0.1:9002' };
const measured = (scenario: string, sticky: Partial<Sticky>): Measurements => ({
  scenario,
  backends: [
    { id: 'b1', weight: 1 },
    { id: 'b2', weight: 1 },
  ],
  exchanges: [],
  sticky: { answers: [], mark: 0, backendAddresses: addresses, ...sticky },
});
const top = suggested;

test("a cookie holding the backend's id or its address in base64 points to a cookie that names its backend", () => {
  const scenario = 'sticky-client-keeps-backend-through';
  assert.deepEqual(top(measured(scenario, { answers: [answer('b1', token)] })), []);
  assert.deepEqual(top(measured(scenario, { answers: [answer('b1', 'lb=b1; Path=/')] })), [
    'affinity-cookie-names-its-backend',
  ]);
  const base64 = Buffer.from(addresses.b2).toString('base64');
  assert.deepEqual(top(measured(scenario, { answers: [answer('b2', `lb=${base64}; Path=/`)] })), [
    'affinity-cookie-names-its-backend',
  ]);
});

test('after the pinned backend went out: still reached, or reached elsewhere without a new cookie', () => {
  const scenario = 'sticky-health-client-backend-turns-unhealthy';
  const before = [answer('b1', token), answer('b1', undefined, '9f2c41d0a7')];
  const followed = [...before, answer('b1', undefined, '9f2c41d0a7')];
  assert.deepEqual(top(measured(scenario, { answers: followed, mark: 2 })), [
    'affinity-outranks-availability',
  ]);
  const stale = [...before, answer('b2', undefined, '9f2c41d0a7')];
  assert.deepEqual(top(measured(scenario, { answers: stale, mark: 2 })), ['affinity-cookie-never-replaced']);
  const replaced = [...before, answer('b2', 'lb=77aa; Path=/', '9f2c41d0a7')];
  assert.deepEqual(top(measured(scenario, { answers: replaced, mark: 2 })), []);
});

test('moved with a new cookie after a restart points to a secret per process; attributes against the config', () => {
  const restarted = [answer('b1', token), answer('b2', 'lb=77aa; Path=/', '9f2c41d0a7')];
  assert.deepEqual(
    top(measured('sticky-affinity-survives-restart-balancer', { answers: restarted, mark: 1 })),
    ['affinity-secret-per-process'],
  );
  const config = { path: '/app', httpOnly: false, sameSite: 'Strict', maxAgeSeconds: 600 };
  const right = [answer('b1', 'lb=9f; Path=/app; Max-Age=600; SameSite=Strict')];
  assert.deepEqual(top(measured('cookie-carries-attributes-config-gives', { answers: right, config })), []);
  assert.deepEqual(
    top(measured('cookie-carries-attributes-config-gives', { answers: [answer('b1', token)], config })),
    ['affinity-cookie-attributes-ignored'],
  );
  const persistent = [answer('b1', `${token}; Max-Age=86400`)];
  assert.deepEqual(
    top(measured('cookie-without-attributes-session-path', { answers: persistent, config: {} })),
    ['affinity-cookie-persistent-by-default'],
  );
});

test('requests without a valid cookie reaching one backend twice in a row point to an unbalanced pick', () => {
  const turns = (order: string[]) => [
    { label: 'no cookie', answers: order.map((backend) => answer(backend, token)) },
  ];
  const three = {
    ...measured('sticky-request-without-valid-cookie', {}),
    backends: ['b1', 'b2', 'b3'].map((id) => ({ id, weight: 1 })),
  };
  const rotating = {
    ...three,
    sticky: {
      answers: [],
      mark: 0,
      backendAddresses: addresses,
      forged: turns(['b1', 'b2', 'b3', 'b1', 'b2', 'b3']),
    },
  };
  assert.deepEqual(top(rotating), []);
  const random = {
    ...three,
    sticky: {
      answers: [],
      mark: 0,
      backendAddresses: addresses,
      forged: turns(['b2', 'b2', 'b1', 'b3', 'b3', 'b1']),
    },
  };
  assert.deepEqual(top(random), ['unpinned-requests-not-balanced']);
});

test('a fleet whose instances honour only the cookies they set themselves points to a secret drawn at each start', () => {
  const clients = [
    { cookie: 'x1', pinnedTo: 'b1', setBy: 'i1' },
    { cookie: 'x2', pinnedTo: 'b1', setBy: 'i2' },
  ];
  const fleet = (requests: NonNullable<Measurements['fleetAffinity']>['requests']): Measurements => ({
    scenario: 'fleet-sticky-cookie-honoured-by-every-instance',
    backends: [],
    exchanges: [],
    fleetAffinity: { clients, requests },
  });
  const ownOnly = fleet([
    { client: 0, instance: 'i1', backend: 'b1', newCookie: false },
    { client: 0, instance: 'i2', backend: 'b2', newCookie: true },
    { client: 1, instance: 'i2', backend: 'b1', newCookie: false },
  ]);
  assert.deepEqual(top(ownOnly), ['affinity-secret-per-process']);
  // A stray at the instance that set the cookie is another mistake.
  const strayAtHome = fleet([{ client: 1, instance: 'i2', backend: 'b2', newCookie: true }]);
  assert.deepEqual(top(strayAtHome), []);
});
