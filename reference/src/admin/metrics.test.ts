import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMetrics } from './metrics.ts';

test('metrics carry each backend state with pool and backend labels, the circuit as a state set', () => {
  const text = renderMetrics({
    main: [
      { id: 'b1', healthy: true, ejected: false, circuit: 'open', inFlight: 3 },
      { id: 'b2', healthy: false, ejected: true, circuit: 'closed', inFlight: 0 },
    ],
  });
  for (const line of [
    '# TYPE lbspec_backend_circuit_state gauge',
    'lbspec_backend_healthy{pool="main",backend="b1"} 1',
    'lbspec_backend_healthy{pool="main",backend="b2"} 0',
    'lbspec_backend_ejected{pool="main",backend="b2"} 1',
    'lbspec_backend_circuit_state{pool="main",backend="b1",state="open"} 1',
    'lbspec_backend_circuit_state{pool="main",backend="b1",state="closed"} 0',
    'lbspec_backend_in_flight{pool="main",backend="b1"} 3',
  ]) {
    assert.ok(text.split('\n').includes(line), `missing: ${line}\n${text}`);
  }
});
