import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardableHeaders, upstreamRequestHeaders } from './forwarding-headers.ts';

test('hop-by-hop request headers and those Connection names are dropped, others kept in order', () => {
  const kept = forwardableHeaders([
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
  const kept = forwardableHeaders([
    'Connection',
    'close, x-internal',
    'X-Internal',
    '1',
    'Transfer-Encoding',
    'chunked',
    'Set-Cookie',
    'a=1',
    'set-cookie',
    'b=2',
    'Content-Type',
    'text/plain',
  ]);
  assert.deepEqual(kept, ['Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'Content-Type', 'text/plain']);
});

test("forwarding headers: the client chain gets the peer appended; proto and host are the balancer's own", () => {
  const headers = upstreamRequestHeaders(
    [
      'Host',
      'app.example',
      'X-Forwarded-For',
      '203.0.113.7',
      'x-forwarded-for',
      '198.51.100.2',
      'X-Forwarded-Proto',
      'https',
    ],
    { clientAddress: '127.0.0.1', scheme: 'http' },
  );
  assert.deepEqual(headers, [
    'Host',
    'app.example',
    'x-forwarded-for',
    '203.0.113.7, 198.51.100.2, 127.0.0.1',
    'x-forwarded-proto',
    'http',
    'x-forwarded-host',
    'app.example',
  ]);
});

test("a Connection header naming X-Forwarded-For drops the client's chain, never the balancer's entry", () => {
  const headers = upstreamRequestHeaders(
    ['Host', 'a', 'X-Forwarded-For', '203.0.113.7', 'Connection', 'X-Forwarded-For, X-Forwarded-Proto'],
    { clientAddress: '127.0.0.1', scheme: 'http' },
  );
  assert.deepEqual(headers, [
    'Host',
    'a',
    'x-forwarded-for',
    '127.0.0.1',
    'x-forwarded-proto',
    'http',
    'x-forwarded-host',
    'a',
  ]);
});
