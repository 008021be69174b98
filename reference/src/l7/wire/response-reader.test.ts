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

/** Asserts that `read` throws a MalformedAnswerError that gives `reason`. */
function refused(read: () => unknown, reason: RegExp, what = reason.source): void {
  assert.throws(read, (error) => error instanceof MalformedAnswerError && reason.test(error.message), what);
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
  const broken: [string, RegExp][] = [
    ['HTTP/1.1 20 OK\r\n\r\n', /status line/],
    ['HTTP/2 200 OK\r\n\r\n', /status line/],
    ['HTTP/1.1 101 Switching Protocols\r\n\r\n', /switched protocols/],
    [
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      /Content-Length "2" is not one agreed/,
    ],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /Content-Length "-1"/],
    [
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
      /both Content-Length and Transfer-Encoding/,
    ],
    [
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
      /Transfer-Encoding "gzip, chunked" is not chunked alone/,
    ],
    ['HTTP/1.1 200 OK\r\nX: a\nY: b\r\n\r\n', /header line 1 is malformed/],
    ['HTTP/1.1 200 OK\r\n folded\r\n\r\n', /header line 1 is malformed/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /chunk size is missing/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX', /chunk data does not end in CRLF/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n', /not hexadecimal/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFF\r\n', /chunk size is too large/],
    [`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(300)}\r\n\r\n`, /head is over 256 bytes/],
  ];
  for (const [answer, reason] of broken) refused(() => readAnswer([answer]), reason, JSON.stringify(answer));
});

test('a connection that closes mid-answer breaks it', () => {
  const { reader } = readAnswer(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf']);
  refused(() => reader.end(), /closed mid-answer/);
});

test('bytes after an answer are surplus, never body, however they arrive', () => {
  const answers = [
    ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe', 'lloEXTRA'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', '0\r\n\r\nEXTRA'],
    ['HTTP/1.1 204 No Content\r\n\r\nEXTRA'],
  ];
  for (const parts of answers) {
    const { seen } = readAnswer(parts);
    assert.equal(seen.body.includes('EXTRA'), false, JSON.stringify(parts));
    assert.equal(seen.complete, true, JSON.stringify(parts));
  }
});

test('after a whole answer, more bytes are refused and a close changes nothing', () => {
  const { reader } = readAnswer(['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok']);
  reader.end();
  refused(() => reader.push(Buffer.from('x')), /bytes after its answer/);
});

test('a close before any head breaks the answer', () => {
  const { reader } = readAnswer([]);
  assert.equal(reader.endsAtClose, false);
  refused(() => reader.end(), /closed mid-answer/);
});

test('only an answer without a length ends at close', () => {
  assert.equal(readAnswer(['HTTP/1.1 200 OK\r\n\r\n']).reader.endsAtClose, true);
  assert.equal(readAnswer(['HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n']).reader.endsAtClose, false);
  assert.equal(
    readAnswer(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n']).reader.endsAtClose,
    false,
  );
});

test('chunk sizes in any hex digit, lowercase or uppercase, up to 12 digits', () => {
  const sizes = ['a', 'f', 'F', '19', '00000000000A'];
  const chunks = sizes.map((size) => `${size}\r\n${'x'.repeat(Number.parseInt(size, 16))}\r\n`).join('');
  const answer = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`;
  const { seen } = readAnswer([answer]);
  assert.equal(seen.body, answer.slice(answer.indexOf('\r\n\r\n') + 4));
  assert.equal(seen.complete, false);
});

test('chunk extensions may hold tabs and spaces, and a trailer line may take the head limit', () => {
  const answers = [
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;a=\tb c\r\nok\r\n0\r\n\r\n',
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: ${'t'.repeat(253)}\r\n\r\n`,
  ];
  for (const answer of answers)
    assert.equal(readAnswer([answer]).seen.complete, false, JSON.stringify(answer));
});

test('the framing of a chunked body is checked byte by byte', () => {
  const chunked = (body: string) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body}`;
  const broken: [string, RegExp][] = [
    ['\r\n0\r\n\r\n', /chunk size is missing/],
    [';x\r\n0\r\n\r\n', /chunk size is missing/],
    ['2Z\nok\r\n0\r\n\r\n', /not hexadecimal/],
    ['2;a\x01\r\nok\r\n0\r\n\r\n', /extension holds a control character/],
    ['2;a\x7f\r\nok\r\n0\r\n\r\n', /extension holds a control character/],
    ['2;a\nok\r\n0\r\n\r\n', /extension holds a control character/],
    ['2\r\rok\r\n0\r\n\r\n', /size line does not end in CRLF/],
    ['2\r\nokX\n0\r\n\r\n', /chunk data does not end in CRLF/],
    ['2\r\nok\rX0\r\n\r\n', /chunk data does not end in CRLF/],
    ['0\r\nX: 1\n\r\n\r\n', /trailer line ends in a bare LF/],
    ['0\r\nX: 1\rY\r\n\r\n', /trailer line does not end in CRLF/],
    [`0\r\nX: ${'t'.repeat(254)}\r\n\r\n`, /trailer line is too long/],
  ];
  for (const [body, reason] of broken)
    refused(() => readAnswer([chunked(body)]), reason, JSON.stringify(body));
});

test('a head of exactly the limit is read; one byte more is refused', () => {
  const head = (size: number) => {
    const start = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX: ';
    return `${start}${'h'.repeat(size - start.length - 4)}\r\n\r\n`;
  };
  assert.equal(readAnswer([head(256)]).seen.head?.statusCode, 200);
  refused(() => readAnswer([head(257)]), /head is over 256 bytes/);
});

test('status lines and lengths are matched whole', () => {
  const broken: [string, RegExp][] = [
    ['XHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', /status line/],
    ['HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n', /status line/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\n', /Content-Length "5x"/],
    ['\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', /status line/],
  ];
  for (const [answer, reason] of broken) refused(() => readAnswer([answer]), reason, JSON.stringify(answer));
  // No reason phrase, and no header either; one length sent twice is still one length.
  assert.equal(readAnswer(['HTTP/1.1 204\r\n\r\n']).seen.head?.statusCode, 204);
  const twice = readAnswer(['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok']);
  assert.equal(twice.seen.body, 'ok');
});

test('a 304 has no body; HTTP/1.0 keeps a connection only when it says keep-alive', () => {
  assert.equal(readAnswer(['HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n']).seen.complete, false);
  const reusable = (answer: string) => readAnswer([answer]).seen.head?.reusable;
  assert.equal(reusable('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'), true);
  assert.equal(reusable('HTTP/1.0 200 OK\r\nConnection: x-other\r\nContent-Length: 0\r\n\r\n'), false);
  // Close wins, whichever header says it and whatever another says.
  for (const version of ['1.0', '1.1']) {
    const both = `HTTP/${version} 200 OK\r\nConnection: close\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n`;
    assert.equal(reusable(both), false, version);
  }
  // A header whose name is as long as "connection" is not one.
  assert.equal(reusable('HTTP/1.1 200 OK\r\nX-Custom-1: close\r\nContent-Length: 0\r\n\r\n'), true);
});
