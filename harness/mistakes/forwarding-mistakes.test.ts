import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Measurements } from './measurements.ts';
import { suggested } from './signature-testing.ts';

const measured = (
  scenario: string,
  sent: readonly [string, string][],
  received: Record<string, string>,
): Measurements => ({ scenario, backends: [], exchanges: [], handWritten: { sent, received } });
const top = suggested;
const forwarded = {
  'x-forwarded-for': '203.0.113.7, 127.0.0.1',
  'x-forwarded-proto': 'http',
  'x-forwarded-host': 'app.example',
};

test('forwarding headers added fit nothing; none added, or stripped by the Connection header, fit their mistakes', () => {
  const sent: [string, string][] = [
    ['Host', 'app.example'],
    ['X-Forwarded-For', '203.0.113.7'],
  ];
  assert.deepEqual(top(measured('proxy-backend-learns-client-address', sent, forwarded)), []);
  assert.deepEqual(
    top(measured('proxy-backend-learns-client-address', sent, { 'x-forwarded-for': '203.0.113.7' })),
    ['forwarding-headers-missing'],
  );
  const stripping: [string, string][] = [
    ...sent,
    ['Connection', 'close, X-Forwarded-For, X-Forwarded-Proto'],
  ];
  assert.ok(
    top(
      measured('proxy-connection-header-cannot-take', stripping, { 'x-forwarded-host': 'app.example' }),
    ).includes('connection-header-strips-forwarding'),
  );
});

test("hop-by-hop values passed on, and a client's chain replaced", () => {
  const sent: [string, string][] = [
    ['Connection', 'close, X-Hop-Secret'],
    ['X-Hop-Secret', 'hop-7f3a'],
    ['TE', 'gzip'],
  ];
  assert.deepEqual(top(measured('proxy-hop-by-hop-headers-stop-balancer', sent, { te: 'trailers' })), []);
  assert.deepEqual(
    top(measured('proxy-hop-by-hop-headers-stop-balancer', sent, { 'x-hop-secret': 'hop-7f3a' })),
    ['hop-by-hop-headers-forwarded'],
  );
  const chain: [string, string][] = [['X-Forwarded-For', '203.0.113.7, 198.51.100.2']];
  assert.deepEqual(
    top(measured('proxy-client-x-forwarded-for-chain-kept', chain, { 'x-forwarded-for': '127.0.0.1' })),
    ['forwarded-for-chain-replaced'],
  );
});

test('upgrades that never got a 101 point to upgrades not proxied', () => {
  const upgrades = (statuses: number[]): Measurements => ({
    scenario: 'ratelimit-websocket-upgrade-spends-token',
    backends: [],
    exchanges: [],
    upgradeStatuses: statuses,
    rateLimit: { key: 'client-ip', capacity: 2, refillPerSecond: 0.01, trustedProxies: [] },
  });
  assert.deepEqual(top(upgrades([502, 502, 502])), ['upgrades-not-proxied']);
  assert.deepEqual(top(upgrades([101, 101, 429])), []);
  assert.deepEqual(top(upgrades([101, 101, 101])), ['rate-limit-skips-upgrades']);
});
