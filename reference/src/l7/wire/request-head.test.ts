import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRequestHead } from './request-head.ts';

const read = (text: string, max = 16 * 1024) => readRequestHead(Buffer.from(text, 'latin1'), max);

test('a plain GET is read whole, with its headers as sent and the bytes it took', () => {
  const text =
    'GET /a?b=1 HTTP/1.1\r\nHost: example.test\r\nX-Tag:  two words \r\nConnection: keep-alive\r\n\r\nGET';
  const reading = read(text);
  assert.equal(reading.kind, 'plain');
  if (reading.kind !== 'plain') return;
  assert.deepEqual(reading.head, {
    method: 'GET',
    target: '/a?b=1',
    rawHeaders: ['Host', 'example.test', 'X-Tag', 'two words', 'Connection', 'keep-alive'],
    length: text.length - 3,
    closeAfter: false,
  });
});

test('Connection: close is noted, and HEAD is plain too', () => {
  const reading = read('HEAD / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, close\r\n\r\n');
  assert.equal(reading.kind === 'plain' && reading.head.method, 'HEAD');
  assert.equal(reading.kind === 'plain' && reading.head.closeAfter, true);
});

test('a head without its blank line yet is incomplete, until it passes the size limit', () => {
  assert.equal(read('GET / HTTP/1.1\r\nHost: h\r\n').kind, 'incomplete');
  assert.equal(read(`GET /${'a'.repeat(100)} HTTP/1.1\r\n`, 64).kind, 'other');
  assert.equal(read(`GET /${'a'.repeat(100)} HTTP/1.1\r\n\r\n`, 64).kind, 'other');
});

test('anything but a plain GET or HEAD is left to node: bodies, upgrades, odd syntax', () => {
  const others = [
    'POST / HTTP/1.1\r\nHost: h\r\n\r\n',
    'GET / HTTP/1.0\r\nHost: h\r\n\r\n',
    'get / HTTP/1.1\r\nHost: h\r\n\r\n',
    'GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nConnection: x-secret\r\n\r\n',
    'GET / HTTP/1.1\r\nHost : h\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n',
    'GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n',
    'GET /\x7f HTTP/1.1\r\nHost: h\r\n\r\n',
    'XGET / HTTP/1.1\r\nHost: h\r\n\r\n',
    'GET / HTTP/1.12\r\nHost: h\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n',
    '\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n',
  ];
  for (const text of others) assert.equal(read(text).kind, 'other', JSON.stringify(text));
});

test('a head with no header at all is plain; a head of exactly the limit too, one byte more is not', () => {
  assert.equal(read('GET / HTTP/1.1\r\n\r\n').kind, 'plain');
  const head = (size: number) => {
    const start = 'GET / HTTP/1.1\r\nX: ';
    return `${start}${'h'.repeat(size - start.length - 4)}\r\n\r\n`;
  };
  assert.equal(read(head(64), 64).kind, 'plain');
  assert.equal(read(head(65), 64).kind, 'other');
});
