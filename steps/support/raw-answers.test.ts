import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerShape } from './raw-answers.ts';

test('an answer is whole by its framing, or broken off short of it', () => {
  const head = (framing: string) => `HTTP/1.1 200 OK\r\nX-A: b\r\n${framing}\r\n\r\n`;
  assert.deepEqual(answerShape(`${head('Content-Length: 5')}hello`), {
    kind: 'whole',
    status: 200,
    bodyBytes: 5,
  });
  assert.deepEqual(answerShape(`${head('Content-Length: 1000')}hello`), {
    kind: 'broken-off',
    status: 200,
    bodyBytes: 5,
  });
  const chunked = head('Transfer-Encoding: chunked');
  assert.deepEqual(answerShape(`${chunked}5\r\nhello\r\n0\r\n\r\n`), {
    kind: 'whole',
    status: 200,
    bodyBytes: 5,
  });
  assert.equal(answerShape(`${chunked}5\r\nhello\r\n`).kind, 'broken-off');
  assert.equal(answerShape(`${chunked}5\r\nhel`).kind, 'broken-off');
  assert.equal(
    answerShape(`${chunked}5\r\nhello\r\n0\r\n`).kind,
    'broken-off',
    'the last chunk needs its CRLF',
  );
  assert.equal(answerShape(`${head('Connection: close')}anything`).kind, 'close-delimited');
  assert.deepEqual(answerShape('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'), {
    kind: 'whole',
    status: 502,
    bodyBytes: 0,
  });
  assert.deepEqual(answerShape(''), { kind: 'none' });
  assert.deepEqual(answerShape('HTTP/1.1 200 OK\r\nX-A'), { kind: 'none' });
});
