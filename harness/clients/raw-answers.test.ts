import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerShape, echoIn, finalStatuses, skipInterimAnswers } from './raw-answers.ts';

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

test('any number of interim answers, with header fields, come off before the final one', () => {
  const final = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const twice = `HTTP/1.1 100 Continue\r\nServer: x\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${final}`;
  const { interim, rest } = skipInterimAnswers(twice);
  assert.deepEqual(
    interim.map((answer) => answer.status),
    [100, 100, 103],
  );
  assert.deepEqual(interim[0]?.headerLines, ['Server: x']);
  assert.equal(rest, final);
  assert.deepEqual(answerShape(twice), { kind: 'whole', status: 200, bodyBytes: 2 });
  assert.deepEqual(finalStatuses(`${twice}HTTP/1.1 400 Bad Request\r\n\r\n`), [200, 400]);
});

test('101 is final, and an interim head still coming stays unread', () => {
  const upgrade = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n';
  assert.deepEqual(skipInterimAnswers(upgrade), { interim: [], rest: upgrade });
  assert.deepEqual(finalStatuses(upgrade), [101]);
  const partial = 'HTTP/1.1 100 Continue\r\nServ';
  assert.deepEqual(skipInterimAnswers(partial), { interim: [], rest: partial });
});

test("a body is read as the backend's echo only when it is a JSON object", () => {
  assert.deepEqual(echoIn('{"method":"GET","url":"/a"}'), { method: 'GET', url: '/a' });
  assert.equal(echoIn('no route matches GET /'), undefined);
  assert.equal(echoIn('null'), undefined);
  assert.equal(echoIn('42'), undefined);
});
