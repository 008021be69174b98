import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AnswerSink,
  MalformedAnswerError,
  type ResponseHead,
  ResponseReader,
} from './response-reader.ts';

/** Feeds `parts` to a reader and records what it found. */
function readAnswer(parts: readonly string[], bodyless = false) {
  const seen: { head?: ResponseHead; body: string; complete?: boolean } = { body: '' };
  const sink: AnswerSink = {
    head: (head) => {
      seen.head = head;
    },
    body: (bytes) => {
      seen.body += bytes.toString('latin1');
    },
    complete: (surplus) => {
      seen.complete = surplus;
    },
  };
  const reader = new ResponseReader(sink, bodyless, 256);
  for (const part of parts) reader.push(Buffer.from(part, 'latin1'));
  return { seen, reader };
}

test('a Content-Length answer ends after its length, however the bytes are split', () => {
  const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  b \r\n\r\nhello';
  for (let split = 1; split < answer.length; split++) {
    const { seen } = readAnswer([answer.slice(0, split), answer.slice(split)]);
    assert.equal(seen.body, 'hello', `split at ${split}`);
    assert.equal(seen.complete, false);
    assert.deepEqual(seen.head?.rawHeaders, ['Content-Length', '5', 'X-A', 'b']);
    assert.equal(seen.head?.reusable, true);
  }
});

test('a chunked answer is passed on with its framing, and ends after its trailers', () => {
  const answer =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n';
  const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
  for (let split = 1; split < answer.length; split++) {
    const { seen } = readAnswer([answer.slice(0, split), answer.slice(split)]);
    assert.equal(seen.body, body, `split at ${split}`);
    assert.equal(seen.complete, false, `split at ${split}`);
  }
  assert.equal(readAnswer([`${answer}HTTP/1.1`]).seen.complete, true, 'bytes after the answer');
});

test('informational answers are skipped; HEAD, 204 and 304 answers have no body', () => {
  const { seen } = readAnswer([
    'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n',
  ]);
  assert.equal(seen.head?.statusCode, 204);
  assert.equal(seen.complete, false);
  const head = readAnswer(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'], true);
  assert.equal(head.seen.complete, false);
  assert.equal(head.seen.body, '');
});

test('an answer without a length ends where the connection does, and is not reusable', () => {
  const { seen, reader } = readAnswer(['HTTP/1.1 200 OK\r\n\r\nsome', ' more']);
  assert.equal(seen.head?.reusable, false);
  assert.equal(seen.complete, undefined);
  reader.end();
  assert.equal(seen.body, 'some more');
  assert.equal(seen.complete, false);
});

test('HTTP/1.0 and Connection: close make a connection single-use', () => {
  assert.equal(readAnswer(['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n']).seen.head?.reusable, false);
  assert.equal(
    readAnswer(['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n']).seen.head?.reusable,
    false,
  );
});

test('a broken answer is refused, whatever part of it breaks', () => {
  const broken = [
    'HTTP/1.1 20 OK\r\n\r\n',
    'HTTP/2 200 OK\r\n\r\n',
    'HTTP/1.1 101 Switching Protocols\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX: a\nY: b\r\n\r\n',
    'HTTP/1.1 200 OK\r\n folded\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFF\r\n',
    `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(300)}\r\n\r\n`,
  ];
  for (const answer of broken)
    assert.throws(() => readAnswer([answer]), MalformedAnswerError, JSON.stringify(answer));
});

test('a connection that closes mid-answer breaks it', () => {
  const { reader } = readAnswer(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf']);
  assert.throws(() => reader.end(), MalformedAnswerError);
});
