import { connect, type Socket } from 'node:net';
import { Client } from 'undici';
import { timeouts } from '../timing/timeouts.ts';
import { splitHostPort } from './net.ts';
import { skipInterimAnswers } from './raw-answers.ts';

/** One request (HTTP) or connection (TCP) as the client saw it. */
export interface Exchange {
  /** Which client sent it (0-based) and its place in that client's sequence. */
  readonly client: number;
  readonly seq: number;
  /** When it was sent: wall-clock ms, comparable with a backend's arrival log on this machine. */
  readonly sentAtMs: number;
  /** From sending to the complete answer (or the failure). */
  readonly durationMs: number;
  /** The backend that answered: x-backend-id (HTTP) or the welcome line (TCP). */
  readonly backendId?: string;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** The Retry-After header, when the answer had one. */
  readonly retryAfter?: string;
  /** The answer's headers (HTTP). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The start of the answer's body (HTTP). */
  readonly body?: string;
  /** Transport failure (refused, reset, timeout, closed without answer), when no answer arrived. */
  readonly error?: string;
  /** A short description of what came back, for failure reports. */
  readonly note?: string;
  /**
   * Set when the request was sent twice: its first attempt, on a reused keep-alive connection,
   * saw the connection close before any answer (see retryOnIdleClose).
   */
  readonly firstAttempt?: { readonly requestId: string; readonly error: string };
}

/** The wall clock of the arrival logs (fixtures/backend/stats.ts), with sub-ms resolution. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface LoadShape {
  /** Clients running at the same time, each on its own connection(s). */
  readonly clients: number;
  /** Requests each client sends, one after another. */
  readonly perClient: number;
}

/** What each HTTP request of a load is. Default: GET /. */
export interface RequestShape {
  readonly method?: string;
  readonly path?: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One client making exchanges one after another (HTTP: on one keep-alive connection). */
export interface SequentialClient {
  exchange(seq: number): Promise<Exchange>;
  close(): Promise<void>;
}

/**
 * Whether a client sends an idempotent request again when a reused keep-alive connection closes
 * before any answer, as RFC 9112 section 9.3.1 allows. A server may close an idle connection at any
 * time (a reload does), and a request written at that moment is lost in transit, not refused; every
 * browser sends it again. Whoever enables this must check that the first attempt reached no
 * backend (firstAttemptsThatArrived), so that a balancer cutting forwarded requests still fails.
 */
export interface ClientManners {
  readonly retryOnIdleClose?: boolean;
}

/** A client of the listener at `address` speaking `protocol`, numbered `client` in exchange logs. */
export function openClient(
  address: string,
  protocol: 'http' | 'tcp',
  client = 0,
  shape: RequestShape = {},
  { retryOnIdleClose = false }: ClientManners = {},
): SequentialClient {
  if (protocol === 'tcp') {
    return { exchange: (seq) => oneTcpConversation(address, client, seq), close: async () => {} };
  }
  const connection = new Client(`http://${address}`, requestBudget());
  let answeredOnThisConnection = 0;
  connection.on('connect', () => {
    answeredOnThisConnection = 0;
  });
  const retries = retryOnIdleClose && idempotent(shape.method ?? 'GET');
  return {
    async exchange(seq) {
      const requestId = `c${client}-r${seq}`;
      const reused = answeredOnThisConnection > 0;
      const first = await oneHttpRequest(connection, client, seq, shape, requestId);
      if (first.error === undefined) {
        answeredOnThisConnection++;
        return first;
      }
      if (!(retries && reused && closedBeforeAnswer(first.error))) return first;
      const again = await oneHttpRequest(connection, client, seq, shape, `${requestId}-again`);
      if (again.error === undefined) answeredOnThisConnection++;
      // The answer, its backend and its send time are the second attempt's: it is what arrived.
      return { ...again, firstAttempt: { requestId, error: first.error } };
    },
    close: () => connection.destroy(),
  };
}

function idempotent(method: string): boolean {
  return ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'].includes(method.toUpperCase());
}

/** The errors of a connection that closed (FIN or RST) before an answer's first byte. */
function closedBeforeAnswer(error: string): boolean {
  return /^(UND_ERR_SOCKET|ECONNRESET|EPIPE)\b/.test(error);
}

/**
 * Runs `clients` clients at the same time; each makes `perClient` exchanges one after another
 * through a client of its own that `open` makes.
 */
async function concurrently(
  { clients, perClient }: LoadShape,
  open: (client: number) => SequentialClient,
): Promise<Exchange[]> {
  const runs = Array.from({ length: clients }, async (_, client) => {
    const sequential = open(client);
    const exchanges: Exchange[] = [];
    try {
      for (let seq = 0; seq < perClient; seq++) exchanges.push(await sequential.exchange(seq));
    } finally {
      await sequential.close();
    }
    return exchanges;
  });
  return (await Promise.all(runs)).flat();
}

export const requestBudget = () => ({
  headersTimeout: timeouts.requestMs,
  bodyTimeout: timeouts.requestMs,
  connectTimeout: timeouts.requestMs,
});

/**
 * Sends requests one after another on `client` until `done` holds over those sent so far; past
 * `timeoutMs` without it, throws what `timedOut` says of them. Every way of sending "until the
 * traffic shows something" goes through here.
 */
export async function exchangeUntil(
  client: SequentialClient,
  done: (sent: readonly Exchange[]) => boolean | Promise<boolean>,
  timeoutMs: number,
  timedOut: (sent: readonly Exchange[]) => Error,
): Promise<Exchange[]> {
  const sent: Exchange[] = [];
  const deadline = performance.now() + timeoutMs;
  for (let seq = 0; ; seq++) {
    sent.push(await client.exchange(seq));
    if (await done(sent)) return sent;
    if (performance.now() > deadline) throw timedOut(sent);
  }
}

/** Concurrent clients sending one request after another until `durationMs` has passed. */
export function sendLoadFor(
  address: string,
  protocol: 'http' | 'tcp',
  clients: number,
  durationMs: number,
): Promise<Exchange[]> {
  const deadline = performance.now() + durationMs;
  return sendLoadWhile(address, protocol, clients, () => performance.now() < deadline);
}

/** Concurrent clients sending one request after another for as long as `going()` says. */
export function sendLoadWhile(
  address: string,
  protocol: 'http' | 'tcp',
  clients: number,
  going: () => boolean,
  manners: ClientManners = {},
): Promise<Exchange[]> {
  const runs = Array.from({ length: clients }, async (_, client) => {
    const sequential = openClient(address, protocol, client, {}, manners);
    const exchanges: Exchange[] = [];
    try {
      for (let seq = 0; going(); seq++) exchanges.push(await sequential.exchange(seq));
    } finally {
      await sequential.close();
    }
    return exchanges;
  });
  return Promise.all(runs).then((all) => all.flat());
}

/**
 * `total` requests (HTTP) or conversations (TCP) shared by `clients` concurrent clients: each sends
 * the next one left as soon as its last is answered. A client held up by a slow backend leaves the
 * rest to the others, so the load stays concurrent until the last request is sent; with a fixed
 * count per client the fast clients finish first and the slow one's tail runs alone.
 */
export function sendSharedLoad(
  address: string,
  protocol: 'http' | 'tcp',
  clients: number,
  total: number,
): Promise<Exchange[]> {
  let left = total;
  return sendLoadWhile(address, protocol, clients, () => {
    if (left === 0) return false;
    left--;
    return true;
  });
}

/** Requests (HTTP) or whole conversations (TCP) from concurrent clients, each one after another. */
export function sendLoad(
  address: string,
  protocol: 'http' | 'tcp',
  shape: LoadShape,
  request: RequestShape = {},
): Promise<Exchange[]> {
  return concurrently(shape, (client) => openClient(address, protocol, client, request));
}

async function oneHttpRequest(
  connection: Client,
  client: number,
  seq: number,
  { method = 'GET', path = '/', body: requestBody, headers: extraHeaders }: RequestShape,
  requestId: string,
): Promise<Exchange> {
  const sentAtMs = wallClockMs();
  const timing = () => ({ client, seq, sentAtMs, durationMs: wallClockMs() - sentAtMs });
  try {
    const response = await connection.request({
      method,
      path,
      headers: {
        ...extraHeaders,
        'x-request-id': requestId,
        ...(requestBody === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: requestBody,
    });
    const body = await response.body.text();
    const header = response.headers['x-backend-id'];
    const backendId = typeof header === 'string' ? header : undefined;
    const retryAfterHeader = response.headers['retry-after'];
    const retryAfter = typeof retryAfterHeader === 'string' ? retryAfterHeader : undefined;
    let bodyId: string | undefined;
    try {
      bodyId = (JSON.parse(body) as { id?: string }).id;
    } catch {
      bodyId = undefined;
    }
    const note = `HTTP ${response.statusCode}, x-backend-id ${backendId ?? '(none)'}, body ${JSON.stringify(body.slice(0, 120))}`;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const answer = {
      ...timing(),
      status: response.statusCode,
      headers,
      body: body.slice(0, 500),
      retryAfter,
      note,
    };
    if (backendId !== undefined && bodyId !== backendId) {
      return { ...answer, error: `header says ${backendId}, body says ${bodyId}` };
    }
    return { ...answer, backendId };
  } catch (error) {
    return { ...timing(), error: describeError(error) };
  }
}

// A whole conversation: the connection counts as ended once the balancer has closed it, so the
// next one cannot arrive while the balancer still counts this one in flight.
async function oneTcpConversation(address: string, client: number, seq: number): Promise<Exchange> {
  const sentAtMs = wallClockMs();
  const timing = () => ({ client, seq, sentAtMs, durationMs: wallClockMs() - sentAtMs });
  try {
    const { welcome } = await tcpConversation(address, Buffer.alloc(0));
    return { ...timing(), backendId: welcome, note: `welcome ${welcome}` };
  } catch (error) {
    return { ...timing(), error: describeError(error) };
  }
}

/** What a TCP client got back: the greeting's backend id, every byte after it, and whether the stream ended. */
export interface TcpConversation {
  readonly welcome: string;
  readonly echoed: Buffer;
  readonly ended: boolean;
}

/** A TCP connection its backend has greeted, the rest of its conversation still to come. */
export interface GreetedTcpConnection {
  /** The backend id of the greeting ("HELLO <id>"). */
  readonly welcome: string;
  /**
   * Sends `payload`, half-closes, and reads until the server ends the stream (at once, if it
   * already has). Rejects on reset or timeout.
   */
  finish(payload: Buffer): Promise<TcpConversation>;
  destroy(): void;
}

/**
 * Connects and reads the fixture protocol's greeting; resolves once it came. Rejects on refusal,
 * reset, timeout, or a stream that ends without a greeting.
 */
export function openGreetedTcp(address: string): Promise<GreetedTcpConnection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ ...splitHostPort(address), allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let received = 0;
    let greeting: { readonly welcome: string; readonly length: number } | undefined;
    let ended = false;
    let failure: Error | undefined;
    // What finish() waits on: the stream's end or its failure.
    let settled: (() => void) | undefined;
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no welcome line within ${timeouts.requestMs} ms (got ${received} bytes)`));
    }, timeouts.requestMs);
    const finish = (payload: Buffer): Promise<TcpConversation> =>
      new Promise((done, fail) => {
        const timer = setTimeout(() => {
          socket.destroy();
          fail(new Error(`no complete answer within ${timeouts.requestMs} ms (got ${received} bytes)`));
        }, timeouts.requestMs);
        settled = () => {
          clearTimeout(timer);
          if (failure) fail(failure);
          else if (!greeting?.welcome)
            fail(new Error(`connection closed without a welcome line (got ${received} bytes)`));
          else
            done({
              welcome: greeting.welcome,
              echoed: Buffer.concat(chunks).subarray(greeting.length),
              ended: true,
            });
        };
        if (ended || failure) settled();
        else socket.end(payload);
      });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (greeting !== undefined) return;
      const all = Buffer.concat(chunks);
      const newline = all.indexOf(10);
      if (newline < 0) return;
      const match = /^HELLO (.+)$/.exec(all.subarray(0, newline).toString('utf8'));
      greeting = { welcome: match?.[1] ?? '', length: newline + 1 };
      clearTimeout(deadline);
      resolve({ welcome: greeting.welcome, finish, destroy: () => socket.destroy() });
    });
    socket.once('end', () => {
      ended = true;
      socket.destroy();
      if (!greeting) {
        clearTimeout(deadline);
        reject(new Error(`connection closed without a welcome line (got ${received} bytes)`));
      }
      settled?.();
    });
    socket.once('error', (error) => {
      failure = error;
      clearTimeout(deadline);
      if (!greeting) reject(error);
      settled?.();
    });
  });
}

/**
 * A TCP conversation as the fixture protocol has it: connect, read the greeting, send `payload`,
 * half-close, and read until the server ends the stream. Rejects on reset, timeout, or a stream
 * that ends without a greeting.
 */
export async function tcpConversation(address: string, payload: Buffer): Promise<TcpConversation> {
  return (await openGreetedTcp(address)).finish(payload);
}

export function describeError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return code ? `${code}: ${message}` : String(message ?? error);
}

/** Requests or connections kept open on purpose; release() ends them (idempotent). */
export interface Held {
  release(): void;
}

/**
 * Opens `count` exchanges that stay in flight: HTTP requests the backend answers only after
 * `holdMs` (x-delay-ms), or TCP connections left open. Each starts on its own connection.
 */
export function holdOpen(address: string, protocol: 'http' | 'tcp', count: number, holdMs: number): Held[] {
  return Array.from({ length: count }, () => {
    if (protocol === 'tcp') {
      const socket = connect(splitHostPort(address));
      socket.on('error', () => {});
      return { release: () => socket.destroy() };
    }
    const connection = new Client(`http://${address}`, {
      headersTimeout: holdMs * 2,
      bodyTimeout: holdMs * 2,
    });
    const abort = new AbortController();
    connection
      .request({
        method: 'GET',
        path: '/held',
        headers: { 'x-delay-ms': String(holdMs) },
        signal: abort.signal,
      })
      .then((response) => response.body.dump())
      .catch(() => {})
      .finally(() => connection.destroy().catch(() => {}));
    return { release: () => abort.abort() };
  });
}

/**
 * Fills the accept queue of a listener that does not accept (its process is paused), so that the
 * kernel drops further connection attempts and they hang, as with an overloaded or unreachable host.
 * Opens connections until one does not complete within `probeMs`; release() closes them.
 */
export async function fillAcceptQueue(address: string, probeMs = 200, limit = 10_000): Promise<Held> {
  const fillers: Socket[] = [];
  const release = () => {
    for (const socket of fillers) socket.destroy();
  };
  for (let opened = 0; opened < limit; opened++) {
    const socket = connect(splitHostPort(address));
    socket.on('error', () => {});
    const connected = await new Promise<boolean>((resolve) => {
      const deadline = setTimeout(() => resolve(false), probeMs);
      socket.once('connect', () => {
        clearTimeout(deadline);
        resolve(true);
      });
      socket.once('error', () => {
        clearTimeout(deadline);
        resolve(false);
      });
    });
    if (!connected) {
      socket.destroy();
      return { release };
    }
    fillers.push(socket);
  }
  release();
  throw new Error(`${address} still accepted connections after ${limit}: is its process really paused?`);
}

/** An HTTP answer as read off a raw socket. */
export interface RawAnswer {
  readonly status: number;
  /** Header names lowercased; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Sends one HTTP/1.1 request written by hand (headers exactly as given, in order; a Host line and
 * Connection: close are added unless present) and reads the answer until the server closes.
 * For requests a well-behaved client library would refuse to send.
 */
export function rawHttpRequest(
  address: string,
  {
    method = 'GET',
    path = '/',
    headers = [],
    localAddress,
  }: {
    method?: string;
    path?: string;
    headers?: readonly [string, string][];
    /** The client's own address (any 127/8 address on loopback), to be a distinct client. */
    localAddress?: string;
  },
): Promise<RawAnswer> {
  const names = new Set(headers.map(([name]) => name.toLowerCase()));
  const lines = [`${method} ${path} HTTP/1.1`];
  if (!names.has('host')) lines.push(`Host: ${address}`);
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  if (!names.has('connection')) lines.push('Connection: close');
  return new Promise((resolve, reject) => {
    const socket = connect({ ...splitHostPort(address), ...(localAddress ? { localAddress } : {}) });
    const chunks: Buffer[] = [];
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeouts.requestMs} ms`));
    }, timeouts.requestMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    socket.once('close', () => {
      clearTimeout(deadline);
      const text = skipInterimAnswers(Buffer.concat(chunks).toString('utf8')).rest;
      const headEnd = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...headerLines] = text
        .slice(0, headEnd < 0 ? text.length : headEnd)
        .split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
      if (!status) {
        reject(new Error(`not an HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const answerHeaders: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        answerHeaders[name] = answerHeaders[name] === undefined ? value : `${answerHeaders[name]}, ${value}`;
      }
      resolve({ status, headers: answerHeaders, body: headEnd < 0 ? '' : text.slice(headEnd + 4) });
    });
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** The four kinds of request the mixed load cycles through, and how each is made. */
const mixedKinds = [
  { kind: 'succeeding', headers: {} },
  { kind: 'failing', headers: { 'x-fail-status': '500' } },
  { kind: 'reset by the backend', headers: { 'x-fault': 'reset' } },
  { kind: 'abandoned by the client', headers: { 'x-delay-ms': '200' }, abandonAfterMs: 20 },
] as const;

/**
 * HTTP load that exercises every way a request can end: each client cycles through succeeding,
 * failing (500), reset by the backend, and abandoned by the client 20 ms in (the backend would
 * have answered after 200 ms).
 */
export function sendMixedHttpRequests(address: string, shape: LoadShape): Promise<Exchange[]> {
  return concurrently(shape, (client) => ({
    exchange: (seq) => oneMixedRequest(address, client, seq),
    close: async () => {},
  }));
}

async function oneMixedRequest(address: string, client: number, seq: number): Promise<Exchange> {
  {
    const spec = mixedKinds[seq % mixedKinds.length] as (typeof mixedKinds)[number];
    const sentAtMs = wallClockMs();
    const timing = () => ({ client, seq, sentAtMs, durationMs: wallClockMs() - sentAtMs });
    // A connection per request: a reset or an abandoned request takes its connection with it.
    const connection = new Client(`http://${address}`, requestBudget());
    // The client gives up on an abandoned request this long after sending it.
    const signal = 'abandonAfterMs' in spec ? AbortSignal.timeout(spec.abandonAfterMs) : undefined;
    try {
      const response = await connection.request({
        method: 'GET',
        path: '/',
        headers: spec.headers,
        signal,
      });
      await response.body.dump();
      return { ...timing(), status: response.statusCode, note: `${spec.kind}: HTTP ${response.statusCode}` };
    } catch (error) {
      return { ...timing(), error: describeError(error), note: spec.kind };
    } finally {
      await connection.destroy().catch(() => {});
    }
  }
}
