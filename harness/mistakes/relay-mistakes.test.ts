import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Measurements, RelayMeasured } from './measurements.ts';
import { suggested } from './signature-testing.ts';

const relayed = (scenario: string, relay: RelayMeasured): Measurements => ({
  scenario,
  backends: [],
  exchanges: [],
  relay,
});
const mebibyte = 2 ** 20;

test('a half-close that loses the answer, and resets not passed on', () => {
  const halfClosed = (echoedBytes: number) => ({ halfClosed: { sentBytes: 100, echoedBytes, ended: true } });
  assert.deepEqual(suggested(relayed('rr-tcp-connection-carries-data', halfClosed(0))), [
    'half-close-closes-both-ways',
  ]);
  assert.deepEqual(suggested(relayed('rr-tcp-connection-carries-data', halfClosed(100))), []);
  const scenario = 'rr-reset-either-side-tcp';
  assert.deepEqual(suggested(relayed(scenario, { backendOpenAfterClientReset: true })), [
    'reset-not-passed-on',
  ]);
  assert.deepEqual(suggested(relayed(scenario, { backendOpenAfterClientReset: false })), []);
  assert.deepEqual(
    suggested(
      relayed(scenario, { backendOpenAfterClientReset: false, clientAfterBackendReset: 'still open' }),
    ),
    ['reset-not-passed-on'],
  );
  assert.deepEqual(suggested(relayed(scenario, { clientAfterBackendReset: 'reset' })), []);
});

test('memory that grows with the bytes relayed: over TCP, or a whole HTTP body', () => {
  const transfer = (over: 'http' | 'tcp', grewMiB: number, intact = true) => ({
    transfer: { over, bytes: 100 * mebibyte, intact, grewBytes: grewMiB * mebibyte },
  });
  assert.deepEqual(suggested(relayed('rr-tcp-client-reads-nothing', transfer('tcp', 180))), [
    'relay-without-backpressure',
  ]);
  assert.deepEqual(suggested(relayed('rr-tcp-client-reads-nothing', transfer('tcp', 20))), []);
  assert.deepEqual(suggested(relayed('proxy-100-mb-go-up-chunked', transfer('http', 110))), [
    'bodies-buffered-whole',
  ]);
  assert.deepEqual(suggested(relayed('proxy-100-mb-go-up-chunked', transfer('http', 110, false))), []);
});

test("a backend's greeting lost after the 101", () => {
  const webSocket = (replies: string[], opened = true) => ({ webSocket: { greeted: true, opened, replies } });
  const scenario = 'proxy-backend-speaks-first-websocket';
  assert.deepEqual(suggested(relayed(scenario, webSocket([]))), ['upgrade-drops-early-bytes']);
  assert.deepEqual(suggested(relayed(scenario, webSocket([], false))), []);
  assert.deepEqual(suggested(relayed(scenario, webSocket(['hello']))), []);
});
