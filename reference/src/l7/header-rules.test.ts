import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyToHeaderList, applyToHeaderRecord } from './header-rules.ts';

const rules = { remove: ['Cookie'], set: { 'X-Env': 'prod' }, add: { Via: 'lb', 'X-New': '1' } };

test('request rules remove, then set (replacing every value), then add beside what is there', () => {
  const headers = [
    'Host',
    'a',
    'cookie',
    's=1',
    'x-env',
    'dev',
    'X-ENV',
    'test',
    'Via',
    'proxy',
    'Accept',
    '*/*',
  ];
  assert.deepEqual(applyToHeaderList(headers, rules), [
    'Host',
    'a',
    'Via',
    'proxy',
    'Accept',
    '*/*',
    'X-Env',
    'prod',
    'Via',
    'lb',
    'X-New',
    '1',
  ]);
  assert.deepEqual(applyToHeaderList(headers, undefined), headers);
});

test('response rules work on lowercased records the same way', () => {
  assert.deepEqual(
    applyToHeaderRecord({ cookie: 'x', 'x-env': ['a', 'b'], via: 'proxy', etag: '1' }, rules),
    {
      'x-env': 'prod',
      via: ['proxy', 'lb'],
      etag: '1',
      'x-new': '1',
    },
  );
});
