import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { Client, WebSocket } from 'undici';
import { payloadChunks, payloadDigest, writePayload } from '../../fixtures/backend/payload.ts';
import { timeouts } from '../timing/timeouts.ts';
import { pollUntil } from '../timing/waiting.ts';
import { splitHostPort } from './net.ts';
import { skipInterimAnswers } from './raw-answers.ts';
import { describeError, requestBudget } from './traffic.ts';

/** How a body is framed on the wire: a Content-Length, or chunked transfer coding. */
export type Framing = 'content-length' | 'chunked';

/** What one large body transfer showed: what was expected, and what arrived where. */
export interface TransferOutcome {
  readonly what: string;
  readonly expectedBytes: number;
  readonly expectedSha256: string;
  /** What arrived at the far end, or why nothing did. */
  readonly arrived: { readonly bytes: number; readonly sha256: string } | { readonly error: string };
}

/** Sends `size` payload bytes as a POST body; the backend's echo says what it received. */
export async function upload(address: string, size: number, framing: Framing): Promise<TransferOutcome> {
  const what = `an upload of ${size} bytes (${framing})`;
  const expected = { what, expectedBytes: size, expectedSha256: payloadDigest(size) };
  const client = new Client(`http://${address}`, requestBudget());
  try {
    const answer = await client.request({
      method: 'POST',
      path: '/upload',
      headers: framing === 'content-length' ? { 'content-length': String(size) } : {},
      body: Readable.from(payloadChunks(size)),
    });
    const text = await answer.body.text();
    if (answer.statusCode !== 200)
      return { ...expected, arrived: { error: `HTTP ${answer.statusCode}: ${text.slice(0, 200)}` } };
    const echo = JSON.parse(text) as { bodyBytes: number; bodySha256: string };
    return { ...expected, arrived: { bytes: echo.bodyBytes, sha256: echo.bodySha256 } };
  } catch (error) {
    return { ...expected, arrived: { error: describeError(error) } };
  } finally {
    await client.destroy().catch(() => {});
  }
}

/**
 * Asks the backend for `size` payload bytes, framed as given, and digests what arrives. With
 * `heldUntil`, the client reads nothing of the body once the answer's head is in until it
 * resolves: the client's buffers fill, and a balancer that honours backpressure stops reading from
 * the backend meanwhile.
 */
export async function download(
  address: string,
  size: number,
  framing: Framing,
  heldUntil?: () => Promise<void>,
): Promise<TransferOutcome> {
  const what = `a download of ${size} bytes (${framing})${heldUntil ? ', read only once the balancer held the client back' : ''}`;
  const expected = { what, expectedBytes: size, expectedSha256: payloadDigest(size) };
  const client = new Client(`http://${address}`, requestBudget());
  try {
    const answer = await client.request({
      method: 'GET',
      path: '/download',
      headers: { 'x-body-bytes': String(size), ...(framing === 'chunked' ? { 'x-body-chunked': '1' } : {}) },
    });
    await heldUntil?.();
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of answer.body) {
      bytes += (chunk as Buffer).length;
      hash.update(chunk as Buffer);
    }
    if (answer.statusCode !== 200) return { ...expected, arrived: { error: `HTTP ${answer.statusCode}` } };
    return { ...expected, arrived: { bytes, sha256: hash.digest('hex') } };
  } catch (error) {
    return { ...expected, arrived: { error: describeError(error) } };
  } finally {
    await client.destroy().catch(() => {});
  }
}

/**
 * Sends `size` payload bytes through a TCP connection to an echoing backend without reading the
 * echo, until every byte is sent (the balancer took everything in) or no byte has left for
 * `stillMs` (every buffer between is full: the balancer holds the client back); only then reads
 * the echo, after the backend's greeting line, and digests it. A balancer that honours
 * backpressure holds at most its socket buffers meanwhile; one that does not, the whole payload.
 */
// 2 MB/s: far below any relay, so the overall bound only catches an echo that crawls forever.
const slowestEchoBytesPerMs = 2_000;

export async function tcpEchoHeldBack(
  address: string,
  size: number,
  stillMs = 500,
): Promise<TransferOutcome> {
  const what = `a TCP echo of ${size} bytes, read only once the balancer held the client back`;
  const expected = { what, expectedBytes: size, expectedSha256: payloadDigest(size) };
  const socket = connect({ ...splitHostPort(address), allowHalfOpen: true });
  // Listened for from the start: a balancer may reset the connection while the client still writes.
  let ended = false;
  let failure: string | undefined;
  socket.once('end', () => {
    ended = true;
  });
  socket.once('error', (error) => {
    failure = describeError(error);
  });
  try {
    await once(socket, 'connect');
    socket.pause();
    // Written as the socket takes it (the payload is never all in this process's memory at once).
    let allWritten = false;
    writePayload(socket, size, () => {
      allWritten = true;
    });
    let sent = -1;
    let sentSince = Date.now();
    await pollUntil(
      () => {
        if (allWritten && socket.writableLength === 0) return true;
        if (socket.bytesWritten !== sent) {
          sent = socket.bytesWritten;
          sentSince = Date.now();
        }
        return Date.now() - sentSince >= stillMs ? true : undefined;
      },
      {
        what: "the TCP client's bytes to be taken in or held back",
        timeoutMs: timeouts.requestMs,
        giveUpIf: () => failure,
      },
    );
    const hash = createHash('sha256');
    let bytes = 0;
    let lastProgressMs = Date.now();
    let greeting: Buffer | undefined = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      lastProgressMs = Date.now();
      let echoed = chunk;
      if (greeting) {
        const seen = Buffer.concat([greeting, chunk]);
        const newline = seen.indexOf(10);
        if (newline < 0) {
          greeting = seen;
          return;
        }
        greeting = undefined;
        echoed = seen.subarray(newline + 1);
      }
      bytes += echoed.length;
      hash.update(echoed);
    });
    socket.resume();
    // The rest of the payload still has to go both ways: on a busy machine that takes longer than
    // one request's budget, so the echo fails when it stalls for that long, not when it is slow.
    await pollUntil(() => (ended ? true : undefined), {
      what: 'the echo to end',
      timeoutMs: timeouts.requestMs + size / slowestEchoBytesPerMs,
      giveUpIf: () =>
        failure ??
        (Date.now() - lastProgressMs > timeouts.requestMs
          ? `the echo stalled: nothing for ${timeouts.requestMs} ms after ${bytes} bytes`
          : undefined),
    });
    return { ...expected, arrived: { bytes, sha256: hash.digest('hex') } };
  } catch (error) {
    return { ...expected, arrived: { error: describeError(error) } };
  } finally {
    socket.destroy();
  }
}

/** What a request sent with Expect: 100-continue saw. */
export interface ContinueOutcome {
  /** How long after the headers 100 Continue came; undefined if it did not come within the wait. */
  readonly continueAfterMs: number | undefined;
  readonly finalStatus: number | undefined;
  /** The final answer's body (the backend's echo, when it got that far). */
  readonly body: string;
}

/**
 * Sends a POST's headers with Expect: 100-continue and waits up to `waitMs` for 100 Continue, as
 * curl does, then sends the body either way and reads the final answer until the server closes.
 */
export function sendExpectingContinue(
  address: string,
  bodyBytes: number,
  waitMs: number,
): Promise<ContinueOutcome> {
  return new Promise((resolve, reject) => {
    const socket = connect(splitHostPort(address));
    const startedMs = performance.now();
    let received = Buffer.alloc(0);
    let continueAfterMs: number | undefined;
    let bodySent = false;
    let finalHeadSeen = false;
    const sendBody = (): void => {
      if (bodySent) return;
      bodySent = true;
      clearTimeout(waitForContinue);
      socket.write(Buffer.alloc(bodyBytes, 'x'));
    };
    const waitForContinue = setTimeout(sendBody, waitMs);
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeouts.requestMs} ms`));
    }, timeouts.requestMs);
    // Interim answers (any number, with header fields) are taken off as they complete; the first
    // 100 among them lets the body go.
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (finalHeadSeen) return;
      const text = received.toString('latin1');
      const { interim, rest } = skipInterimAnswers(text);
      if (interim.some((answer) => answer.status === 100) && continueAfterMs === undefined) {
        continueAfterMs = performance.now() - startedMs;
        sendBody();
      }
      received = received.subarray(text.length - rest.length);
      finalHeadSeen = /^HTTP\/1\.[01] (?:[2-9]\d\d|101)/.test(rest);
    });
    socket.once('error', (error) => {
      clearTimeout(deadline);
      clearTimeout(waitForContinue);
      reject(error);
    });
    socket.once('close', () => {
      clearTimeout(deadline);
      clearTimeout(waitForContinue);
      const text = received.toString('utf8');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      const headEnd = text.indexOf('\r\n\r\n');
      resolve({
        continueAfterMs,
        finalStatus: status === undefined ? undefined : Number(status),
        body: headEnd < 0 ? '' : text.slice(headEnd + 4),
      });
    });
    socket.write(
      `POST /upload HTTP/1.1\r\nHost: app.example\r\nContent-Length: ${bodyBytes}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
  });
}

/** How a WebSocket exchange went: the replies that came, whether the handshake succeeded, and why it stopped short. */
export interface WebSocketOutcome {
  readonly replies: readonly string[];
  /** Whether the upgrade was answered with 101 (the socket opened). */
  readonly opened: boolean;
  /** Why the exchange ended before every reply came; absent when it finished. */
  readonly failure?: string;
}

/**
 * Opens a WebSocket through `address`, sends each message in turn and collects the replies. `greeted`:
 * the backend speaks first (its /greeting path), so the first message waits for its greeting.
 */
export async function webSocketExchange(
  address: string,
  messages: readonly string[],
  { greeted = false } = {},
): Promise<WebSocketOutcome> {
  const socket = new WebSocket(`ws://${address}/${greeted ? 'greeting' : 'chat'}`);
  const replies: string[] = [];
  const expected = messages.length + (greeted ? 1 : 0);
  let sent = 0;
  let opened = false;
  const sendNext = (): void => socket.send(messages[sent++] as string);
  const failure = await new Promise<string | undefined>((resolve) => {
    const deadline = setTimeout(
      () =>
        resolve(
          `the WebSocket exchange did not finish within ${timeouts.requestMs} ms, after the replies ${JSON.stringify(replies)}`,
        ),
      timeouts.requestMs,
    );
    const end = (why?: string) => {
      clearTimeout(deadline);
      resolve(why);
    };
    socket.addEventListener('error', (event) => {
      const { message, error } = event as { message?: string; error?: Error };
      end(`the WebSocket failed: ${message || error?.message || 'the handshake or the connection broke'}`);
    });
    socket.addEventListener('close', (event) => {
      if (replies.length < expected)
        end(`the WebSocket closed (code ${event.code}) after the replies ${JSON.stringify(replies)}`);
    });
    socket.addEventListener('open', () => {
      opened = true;
      if (!greeted) sendNext();
    });
    socket.addEventListener('message', (event) => {
      replies.push(String(event.data));
      if (replies.length < expected) sendNext();
      else end();
    });
  });
  socket.close();
  return { replies, opened, ...(failure === undefined ? {} : { failure }) };
}

/** Sends `count` GETs one after another on one keep-alive client; says how many connections it opened. */
export async function requestsOnOneClient(
  address: string,
  count: number,
): Promise<{ statuses: number[]; errors: string[]; connectionsOpened: number }> {
  const client = new Client(`http://${address}`, { ...requestBudget(), pipelining: 1 });
  let connectionsOpened = 0;
  client.on('connect', () => connectionsOpened++);
  const statuses: number[] = [];
  const errors: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      try {
        const answer = await client.request({ method: 'GET', path: `/keep-alive/${i}` });
        await answer.body.dump();
        statuses.push(answer.statusCode);
      } catch (error) {
        errors.push(describeError(error));
      }
    }
  } finally {
    await client.close().catch(() => {});
  }
  return { statuses, errors, connectionsOpened };
}
