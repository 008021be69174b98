import assert from 'node:assert/strict';
import { test } from 'node:test';
import { affinityProblems } from './fleet-affinity.ts';

const clients = [
  { cookie: 'x1', pinnedTo: 'b1', setBy: 'i1' },
  { cookie: 'x2', pinnedTo: 'b3', setBy: 'i2' },
];

test('each request to a running instance must reach the backend its client is pinned to', () => {
  assert.deepEqual(
    affinityProblems(clients, [
      { client: 0, instance: 'i2', backend: 'b1' },
      { client: 1, instance: 'i1', backend: 'b3' },
    ]),
    [],
  );
  assert.deepEqual(affinityProblems(clients, [{ client: 1, instance: 'i1', backend: 'b2' }]), [
    'client 2 (cookie from i2, pinned to b3) got b2 from i1',
  ]);
});

test('a request lost at a running instance is a problem; any request to the killed one is not judged', () => {
  const requests = [
    { client: 0, instance: 'i3', error: 'ECONNREFUSED: connect' },
    { client: 1, instance: 'i1', error: 'ECONNRESET: socket hang up' },
  ];
  assert.deepEqual(affinityProblems(clients, requests, 'i3'), [
    'client 2 (cookie from i2, pinned to b3) got no answer (ECONNRESET: socket hang up) from i1',
  ]);
});
