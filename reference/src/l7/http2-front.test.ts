import assert from 'node:assert/strict';
import { test } from 'node:test';
import { http1Headers, protocolByPreface } from './http2-front.ts';

const preface = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

test('the preface tells HTTP/2 from HTTP/1.1, waiting while the bytes so far could be either', () => {
  assert.equal(protocolByPreface(Buffer.from(preface)), 'h2');
  assert.equal(protocolByPreface(Buffer.from(`${preface}\0\0\x12\x04`)), 'h2');
  assert.equal(protocolByPreface(Buffer.from('PRI * HTTP')), undefined);
  assert.equal(protocolByPreface(Buffer.from('P')), undefined);
  assert.equal(protocolByPreface(Buffer.from('POST / HTTP/1.1\r\n')), 'http/1.1');
  assert.equal(protocolByPreface(Buffer.from('GET / HTTP/1.1\r\n')), 'http/1.1');
  assert.equal(protocolByPreface(Buffer.from('PRI * HTTP/1.1\r\n\r\n')), 'http/1.1');
});

test('an HTTP/2 request goes upstream with :authority as its one Host and its cookie fields joined', () => {
  const raw = [':method', 'GET', ':authority', 'shop.example', ':path', '/a', ':scheme', 'https'];
  assert.deepEqual(
    http1Headers([...raw, 'cookie', 'a=1', 'accept', '*/*', 'cookie', 'b=2', 'host', 'other.example']),
    ['host', 'shop.example', 'cookie', 'a=1; b=2', 'accept', '*/*'],
  );
  // Without :authority, a Host field the client sent stands.
  assert.deepEqual(http1Headers([':method', 'GET', ':path', '/', 'host', 'h.example']), [
    'host',
    'h.example',
  ]);
  assert.deepEqual(http1Headers([':method', 'GET', ':path', '/']), []);
  // A value that happens to read "cookie" is not a field name.
  assert.deepEqual(http1Headers(['x-name', 'cookie', 'cookie', 'c=3']), [
    'x-name',
    'cookie',
    'cookie',
    'c=3',
  ]);
});
