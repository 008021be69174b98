import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientValuesPassedOn } from './hop-by-hop.ts';

const sent: [string, string][] = [
  ['TE', 'gzip'],
  ['Keep-Alive', 'timeout=7, max=93'],
  ['X-Hop-Secret', 'hop-7f3a'],
];
const names = ['TE', 'Keep-Alive', 'X-Hop-Secret'];

test("a proxy's own hop-by-hop values are not the client's", () => {
  assert.deepEqual(clientValuesPassedOn(sent, { te: 'trailers', 'keep-alive': 'timeout=60' }, names), []);
  assert.deepEqual(clientValuesPassedOn(sent, {}, names), []);
});

test("any element of a client's value that arrives is named", () => {
  assert.deepEqual(clientValuesPassedOn(sent, { te: 'GZIP, trailers' }, names), ['TE: gzip']);
  assert.deepEqual(clientValuesPassedOn(sent, { 'keep-alive': ['max=93'] }, names), ['Keep-Alive: max=93']);
  assert.deepEqual(clientValuesPassedOn(sent, { 'x-hop-secret': 'hop-7f3a' }, names), [
    'X-Hop-Secret: hop-7f3a',
  ]);
});
