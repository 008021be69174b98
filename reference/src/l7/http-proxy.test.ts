import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardableRequestHeaders, forwardableResponseHeaders } from './http-proxy.ts';

test('hop-by-hop request headers and those Connection names are dropped, others kept in order', () => {
  const kept = forwardableRequestHeaders([
    'Host',
    'example.test',
    'Connection',
    'keep-alive, X-Secret',
    'Keep-Alive',
    'timeout=5',
    'X-Secret',
    'hidden',
    'Transfer-Encoding',
    'chunked',
    'Expect',
    '100-continue',
    'X-Trace',
    'a',
    'x-trace',
    'b',
  ]);
  assert.deepEqual(kept, ['Host', 'example.test', 'X-Trace', 'a', 'x-trace', 'b']);
});

test('hop-by-hop response headers are dropped, repeated ones kept', () => {
  const kept = forwardableResponseHeaders({
    connection: 'close, x-internal',
    'x-internal': '1',
    'transfer-encoding': 'chunked',
    'set-cookie': ['a=1', 'b=2'],
    'content-type': 'text/plain',
    absent: undefined,
  });
  assert.deepEqual(kept, { 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' });
});
