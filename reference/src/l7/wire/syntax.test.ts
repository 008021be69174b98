import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readField } from './syntax.ts';

test('a field line gives its name and its value without the whitespace around it', () => {
  assert.deepEqual(readField('X-Tag: \t two  words \t '), { name: 'X-Tag', value: 'two  words' });
  assert.deepEqual(readField('Empty:'), { name: 'Empty', value: '' });
  assert.deepEqual(readField('Blank: \t '), { name: 'Blank', value: '' });
  assert.deepEqual(readField('Tight:v'), { name: 'Tight', value: 'v' });
  assert.deepEqual(readField('Obs-Text: caf\xe9'), { name: 'Obs-Text', value: 'caf\xe9' });
});

test('what is not a field line is refused', () => {
  for (const line of [
    'Space-Before : v', // RFC 9112 5.1: no whitespace between name and colon
    ' Folded: v', // an obs-fold continuation
    'No colon',
    ': no name',
    'Bare-CR: a\rb',
    'Bare-LF: a\nb',
    'Nul: a\0b',
    'Na(me: v',
  ]) {
    assert.equal(readField(line), undefined, JSON.stringify(line));
  }
});

test('a long value is read whole', () => {
  const value = 'k'.repeat(64 * 1024);
  assert.deepEqual(readField(`X-Api-Key:  ${value}  `), { name: 'X-Api-Key', value });
});
