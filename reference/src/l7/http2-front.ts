// HTTP/2 from clients: node's HTTP/2 server, fed the connections that speak it, each stream's
// request handed on as the HTTP/1.1 request it becomes upstream.

import { type IncomingMessage, maxHeaderSize, type ServerResponse } from 'node:http';
import {
  constants,
  createServer as createHttp2Server,
  type Http2Server,
  type ServerOptions as Http2ServerOptions,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Defects } from '../defects.ts';

/** What a client with prior knowledge sends first (RFC 9113 3.4). */
const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

// As many streams as nginx and HAProxy allow at once on one connection (node's default is 2^32-1):
// a client that opens more has them refused, and its other streams go on.
const maxConcurrentStreams = 100;

/**
 * The settings a listener's HTTP/2 server is made with: how large a request's header list may be
 * once decoded (name + value + 32 octets per field, RFC 9113 6.5.2), as HTTP/1.1's maxHeaderBytes
 * bounds its header section. Without one, node's HTTP/1.1 bound (16 KiB) serves for both.
 */
export function http2Settings(maxHeaderBytes: number | undefined, defects: Defects = {}): Http2ServerOptions {
  // Stryker disable next-line all: a broken balancer's defect, never on in a correct run
  if (defects.http2HeaderListUnbounded) {
    // HPACK lets a few bytes stand for a field sent before: nothing but this bound stops a client's
    // 4 KiB from decoding to megabytes at the balancer and its backends (an HPACK bomb).
    // maxSessionMemory is in megabytes.
    // Stryker disable next-line all: a broken balancer's defect, never on in a correct run
    return { maxHeaderListPairs: 1 << 20, maxSessionMemory: 4096, settings: { maxConcurrentStreams } };
  }
  return {
    settings: {
      ...(defects.http2StreamsUnlimited ? {} : { maxConcurrentStreams }),
      maxHeaderListSize: maxHeaderBytes ?? maxHeaderSize,
    },
  };
}

/** How long a new cleartext connection may stay silent before its first bytes tell its protocol. */
const silentConnectionMs = 5_000;

/** 'h2' when `bytes` begin with the preface, 'http/1.1' when they cannot, undefined until they tell. */
export function protocolByPreface(bytes: Buffer): 'h2' | 'http/1.1' | undefined {
  const compared = Math.min(bytes.length, preface.length);
  if (bytes.compare(preface, 0, compared, 0, compared) !== 0) return 'http/1.1';
  return compared === preface.length ? 'h2' : undefined;
}

/**
 * Reads a cleartext connection's first bytes until they tell its protocol, puts them back, and
 * hands the connection to `then`, paused: whoever takes it resumes it. A connection that says
 * nothing for `silentMs` (the listener's idle timeout; node's keep-alive timeout without one) is
 * closed as an idle kept-alive one would be, whichever protocol it would have spoken.
 */
export function sniffPreface(
  socket: Socket,
  then: (protocol: 'h2' | 'http/1.1') => void,
  silentMs = silentConnectionMs,
): void {
  let read = Buffer.alloc(0);
  socket.setTimeout(silentMs, () => socket.destroy());
  const onData = (bytes: Buffer): void => {
    read = Buffer.concat([read, bytes]);
    const protocol = protocolByPreface(read);
    if (protocol === undefined) return;
    socket.setTimeout(0);
    socket.off('data', onData);
    socket.pause();
    socket.unshift(read);
    then(protocol);
  };
  socket.on('data', onData);
}

/** The header fields of an HTTP/2 request as HTTP/1.1 carries them upstream. */
export type Http2RequestHeaders = (rawHeaders: readonly string[]) => string[];

/**
 * :authority becomes Host (one Host: a Host field the client also sent gives way to it, RFC 9113
 * 8.3.1); the other pseudo-header fields go; Cookie fields, which HTTP/2 may split, are joined with
 * "; " into one (RFC 9113 8.2.3). Every other field is kept, in order.
 */
export const http1Headers: Http2RequestHeaders = (rawHeaders) => {
  let authority: string | undefined;
  let host: string | undefined;
  const cookies: string[] = [];
  let cookieAt = -1;
  const fields: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    if (name === ':authority') authority = value;
    else if (name === 'host') host ??= value;
    else if (name === 'cookie') {
      if (cookieAt < 0) cookieAt = fields.push(name, '') - 2;
      cookies.push(value);
    } else if (!name.startsWith(':')) fields.push(name, value);
  }
  if (cookieAt >= 0) fields[cookieAt + 1] = cookies.join('; ');
  const hostField = authority ?? host;
  return hostField === undefined ? fields : ['host', hostField, ...fields];
};

/** What the HTTP/2 server reads a connection's frames from: the connection itself. */
export type Http2ConnectionReader = (socket: Socket) => Duplex;

/** The parts and limits a listener's HTTP/2 server is made of. */
export interface Http2FrontOptions {
  readonly headersUpstream: Http2RequestHeaders;
  readonly connectionReader?: Http2ConnectionReader;
  /** The listener's limits.maxHeaderBytes, if it has one. */
  readonly maxHeaderBytes?: number | undefined;
  /** The listener's limits.idleTimeoutMs: a session with no stream at a backend this long is closed. */
  readonly idleTimeoutMs?: number | undefined;
  /** What keeps the idle timeout (the reference's idleSessions). */
  readonly idleSessions?: IdleSessionsOf;
}

/** Tells sessions' idle timers when a session has a stream at a backend and when it has none. */
export interface IdleSessions {
  busy(session: ServerHttp2Session): void;
  nowIdle(session: ServerHttp2Session): void;
}

/** The idle timers for sessions of a listener whose idle timeout is `idleMs`. */
export type IdleSessionsOf = (idleMs: number) => IdleSessions;

/** Serves a request; `over`, if given, is told once nothing of it is left at a backend. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse, over?: () => void) => void;

/** A listener's HTTP/2 server: takes connections that speak HTTP/2 and closes them gracefully. */
export interface Http2Front {
  /** Serves a connection whose first bytes (put back, if read) are the preface or a TLS-negotiated h2. */
  serve(socket: Socket): void;
  /** Tells every client no new streams will be taken (GOAWAY); streams under way finish. */
  closeIdleConnections(): void;
}

/**
 * An HTTP/2 server whose requests go to `handle` as node's HTTP/1.1 server would give them:
 * Http2ServerRequest and Http2ServerResponse keep the shape of IncomingMessage and ServerResponse,
 * and the request's raw headers are made the ones it carries upstream.
 */
export function http2Front(
  handle: RequestHandler,
  {
    headersUpstream,
    connectionReader = (socket) => socket,
    maxHeaderBytes,
    idleTimeoutMs,
    idleSessions: idleSessionsOf = idleSessions,
  }: Http2FrontOptions,
  defects: Defects = {},
): Http2Front {
  const sessions = new Set<ServerHttp2Session>();
  const server: Http2Server = createHttp2Server(http2Settings(maxHeaderBytes, defects));
  const idle = idleTimeoutMs === undefined ? undefined : idleSessionsOf(idleTimeoutMs);
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    idle?.nowIdle(session);
    session.once('close', () => {
      sessions.delete(session);
      idle?.busy(session);
    });
    // A session's errors end it (and its socket); they are the client's, never the balancer's.
    session.on('error', () => session.destroy());
  });
  // A stream a client resets is closed for it at once, but its request may still be at a backend:
  // it counts against the limit until that is over, or a client that resets every stream it opens
  // (rapid reset, CVE-2023-44487) could keep any number of requests at the backends. A stream
  // past the limit is refused.
  const busy = new WeakMap<ServerHttp2Session, number>();
  server.on('request', (request: Http2ServerRequest, response: Http2ServerResponse) => {
    const session = request.stream.session as ServerHttp2Session;
    const inUse = busy.get(session) ?? 0;
    if (inUse >= maxConcurrentStreams && !defects.http2ResetStreamsFreed) {
      request.stream.close(constants.NGHTTP2_REFUSED_STREAM);
      return;
    }
    busy.set(session, inUse + 1);
    idle?.busy(session);
    let counted = true;
    const over = (): void => {
      if (!counted) return;
      counted = false;
      const left = (busy.get(session) ?? 1) - 1;
      busy.set(session, left);
      if (left === 0 && !session.closed) idle?.nowIdle(session);
    };
    const rawHeaders = headersUpstream(request.rawHeaders);
    Object.defineProperty(request, 'rawHeaders', { value: rawHeaders });
    handle(request as unknown as IncomingMessage, response as unknown as ServerResponse, over);
  });
  return {
    serve: (socket) => server.emit('connection', connectionReader(socket)),
    closeIdleConnections: () => {
      // Stryker disable next-line all: a broken balancer's defect, never on in a correct run
      if (defects.http2SessionsOnClose === 'left-open') return;
      // Stryker disable next-line all: a broken balancer's defect, never on in a correct run
      if (defects.http2SessionsOnClose === 'destroyed') for (const session of sessions) session.destroy();
      for (const session of sessions) session.close();
    },
  };
}

/**
 * Closes (GOAWAY, then the connection) a session once it has had nothing at a backend for `idleMs`:
 * the timer runs from the session's start and from the end of its last stream, and a new stream
 * stops it. A stream in flight keeps its session however long the backend takes.
 */
export const idleSessions: IdleSessionsOf = (idleMs) => {
  const timers = new WeakMap<ServerHttp2Session, NodeJS.Timeout>();
  const busy = (session: ServerHttp2Session): void => clearTimeout(timers.get(session));
  return {
    busy,
    nowIdle(session: ServerHttp2Session): void {
      busy(session);
      const timer = setTimeout(() => session.close(), idleMs);
      timer.unref();
      timers.set(session, timer);
    },
  };
};

/** Whether a request came over HTTP/2, where a connection is not the request's to close. */
export function overHttp2(request: IncomingMessage): boolean {
  return request.httpVersionMajor === 2;
}

/**
 * Whether an answer went out whole when its response closed. Node's HTTP/2 response counts as
 * finished once its stream closes, reset by the client or not, so there it is whether it was ended.
 */
export function answeredWhole(response: ServerResponse): boolean {
  return overHttp2(response.req) ? response.writableEnded : response.writableFinished;
}

/** An HTTP/2 request whose stream did not end with its headers: a body may follow. */
export function bodyMayFollow(request: IncomingMessage): boolean {
  return overHttp2(request) && !(request as unknown as Http2ServerRequest).stream.endAfterHeaders;
}
