import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionOptions, readFields } from './syntax.ts';

/** The fields of a head's text after a start line, or the number of the first bad line. */
function fieldsOf(lines: string): string[] | number {
  const text = `START\r\n${lines}`;
  const fields: string[] = [];
  const bad = readFields(Buffer.from(text, 'latin1'), text, 'START\r\n'.length, fields);
  return bad === 0 ? fields : bad;
}

test('a field line gives its name and its value without the whitespace around it', () => {
  assert.deepEqual(fieldsOf('X-Tag: \t two  words \t '), ['X-Tag', 'two  words']);
  assert.deepEqual(fieldsOf('Empty:'), ['Empty', '']);
  assert.deepEqual(fieldsOf('Blank: \t '), ['Blank', '']);
  assert.deepEqual(fieldsOf('Tight:v'), ['Tight', 'v']);
  assert.deepEqual(fieldsOf('Obs-Text: caf\xe9'), ['Obs-Text', 'caf\xe9']);
  // The ends of each range of value bytes: space and tilde, 0x80 and 0xff.
  assert.deepEqual(fieldsOf('Edges: a ~\x80\xff'), ['Edges', 'a ~\x80\xff']);
});

test('lines are read in order, each ending in CRLF', () => {
  assert.deepEqual(fieldsOf('A: 1\r\nb:2 \r\nC-c:  three'), ['A', '1', 'b', '2', 'C-c', 'three']);
  assert.deepEqual(fieldsOf(''), []);
});

test('what is not a field line is refused, by its number', () => {
  for (const line of [
    'Space-Before : v', // RFC 9112 5.1: no whitespace between name and colon
    ' Folded: v', // an obs-fold continuation
    'No colon',
    ': no name',
    'Bare-CR: a\rb',
    'Bare-LF: a\nb',
    'Ends-In-CR: a\r',
    'Nul: a\0b',
    'Del: a\x7fb',
    'Na(me: v',
  ]) {
    assert.equal(fieldsOf(line), 1, JSON.stringify(line));
    assert.equal(fieldsOf(`Good: one\r\n${line}`), 2, JSON.stringify(line));
  }
  assert.equal(fieldsOf('A: 1\r\n\tfolded'), 2);
  assert.equal(fieldsOf('A: 1\r\n'), 1, 'a CRLF with no line after it');
});

test('a long value is read whole', () => {
  const value = 'k'.repeat(64 * 1024);
  assert.deepEqual(fieldsOf(`X-Api-Key:  ${value}  `), ['X-Api-Key', value]);
});

test("a Connection header's options are lowercased, without whitespace or empty ones", () => {
  assert.deepEqual(connectionOptions('keep-alive'), ['keep-alive']);
  assert.deepEqual(connectionOptions('Keep-Alive, X-Trace ,, close'), ['keep-alive', 'x-trace', 'close']);
  assert.deepEqual(connectionOptions(''), []);
});
