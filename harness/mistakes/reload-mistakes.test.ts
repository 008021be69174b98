import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LiveChange, MeasuredExchange, Measurements } from './measurements.ts';
import { poolOf, suggested } from './signature-testing.ts';

const at = (sentAtMs: number, backendId: string, failure?: 'error' | 502): MeasuredExchange => ({
  client: 0,
  seq: sentAtMs,
  sentAtMs,
  durationMs: 50,
  backendId,
  ...(failure === 'error' ? { error: 'socket hang up' } : { status: failure ?? 200 }),
});
const change = (requestedAtMs: number, what: 'joined' | 'drained' | 'left', backend: string): LiveChange => ({
  what,
  backend,
  requestedAtMs,
  liveAtMs: requestedAtMs + 20,
});
const measured = (
  scenario: string,
  changes: LiveChange[],
  exchanges: MeasuredExchange[],
  extra: Partial<Measurements> = {},
): Measurements => ({ scenario, backends: poolOf('b2', 'b4'), exchanges, changes, ...extra });

const scenario = 'member-under-continuous-traffic-backends';
const changes = [change(1_000, 'joined', 'b4'), change(2_000, 'drained', 'b1'), change(3_000, 'left', 'b3')];

test('no request failed and none reached a drained backend: nothing fits', () => {
  assert.deepEqual(
    suggested(measured(scenario, changes, [at(990, 'b1'), at(2_100, 'b2'), at(3_100, 'b4')])),
    [],
  );
});

test('failures only while backends left, or at changes that remove nothing', () => {
  const cutAtLeave = [at(990, 'b1'), at(2_990, 'b3', 502), at(3_100, 'b4')];
  assert.deepEqual(suggested(measured(scenario, changes, cutAtLeave)), ['reload-cuts-requests-in-flight']);
  const droppedAtJoin = [at(990, 'b1', 'error'), at(2_990, 'b3', 'error')];
  assert.deepEqual(suggested(measured(scenario, changes, droppedAtJoin)), [
    'reload-drops-client-connections',
  ]);
});

test('a drained backend reached afterwards, by new requests or by its pinned client', () => {
  assert.deepEqual(suggested(measured(scenario, changes, [at(2_100, 'b1')])), [
    'drained-backend-takes-new-requests',
  ]);
  const pinned = {
    answers: [
      { backend: 'b1', setCookie: 'lb=x', sentCookie: undefined },
      { backend: 'b1', setCookie: undefined, sentCookie: 'x' },
    ],
    mark: 1,
    backendAddresses: {},
  };
  const drainedOnly = [change(2_000, 'drained', 'b1')];
  // Affinity that outranks availability fits too: a drained backend is one a pin must give up.
  const top = suggested(
    measured('sticky-health-client-backend-drained-goes', drainedOnly, [], { sticky: pinned }),
  );
  assert.ok(top.slice(0, 2).includes('drained-backend-takes-new-requests'), top.join(', '));
});

test('old routes or old pools still serving after the change went live', () => {
  const routes: LiveChange = { what: 'routes', pools: ['b2'], requestedAtMs: 1_000, liveAtMs: 1_020 };
  const routed = (backendId: string) =>
    measured('member-under-continuous-traffic-routes', [routes], [at(990, 'b1'), at(1_100, backendId)]);
  assert.deepEqual(suggested(routed('b1')), ['routes-kept-after-reload']);
  assert.deepEqual(suggested(routed('b2')), []);
  const rotated = (...ids: string[]) =>
    measured(
      'rr-changing-pool-runtime-rotates-http',
      [],
      ids.map((id, i) => at(i, id)),
    );
  assert.deepEqual(suggested(rotated('b1', 'b2', 'b1')), ['reload-keeps-old-pools']);
  assert.deepEqual(suggested(rotated('b2', 'b4')), []);
});
