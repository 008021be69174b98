import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAddress, parseAddress } from './address.ts';

test('addresses parse into host and port, IPv6 in brackets', () => {
  assert.deepEqual(parseAddress('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseAddress('[::1]:443'), { host: '::1', port: 443 });
  assert.deepEqual(parseAddress('localhost:1'), { host: 'localhost', port: 1 });
});

test('malformed addresses and ports out of range are rejected', () => {
  for (const bad of ['127.0.0.1', ':80', '127.0.0.1:0', '127.0.0.1:65536', '::1:80', 'a b:80']) {
    assert.equal(parseAddress(bad), undefined, bad);
  }
});

test('formatAddress brackets IPv6 hosts', () => {
  assert.equal(formatAddress({ host: '::1', port: 80 }), '[::1]:80');
  assert.equal(formatAddress({ host: '127.0.0.1', port: 80 }), '127.0.0.1:80');
});
