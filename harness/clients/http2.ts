// An HTTP/2 client on one connection: over TLS (ALPN "h2") or in cleartext with prior knowledge.
// Requests are streams of that one connection, as many at a time as a scenario asks.

import { type ClientHttp2Session, connect, constants } from 'node:http2';
import { connect as connectTcp } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { settledWithin } from '../timing/waiting.ts';
import { inLanes } from './lanes.ts';
import { splitHostPort } from './net.ts';
import type { Exchange, RawAnswer } from './traffic.ts';
import { wallClockMs } from './traffic.ts';

/** Where the connection goes, and over TLS, whom it trusts and the name it asks for. */
export interface Http2Target {
  readonly address: string;
  readonly tls?: { readonly caPem: string; readonly serverName: string };
  /** The loopback address to connect from: a client of its own, to a balancer that tells clients apart. */
  readonly localAddress?: string;
}

/** One connection speaking HTTP/2, and what its handshake settled. */
export interface Http2Connection {
  /** "h2" when ALPN selected it (TLS), "h2c" for prior knowledge (cleartext). */
  readonly protocol: 'h2' | 'h2c';
  /** One request as one stream; header values given as arrays go as separate fields. */
  request(
    path: string,
    headers: Readonly<Record<string, string | readonly string[]>>,
    timeoutMs: number,
  ): Promise<RawAnswer>;
  /** `total` GET requests, `atOnce` streams open at a time, as exchange records (client 0). */
  exchanges(path: string, total: number, atOnce: number, timeoutMs: number): Promise<Exchange[]>;
  /**
   * When (wall clock, ms) the server ended the connection, by GOAWAY or by closing it, whichever
   * came first; waits up to `timeoutMs` for it, undefined when it did not come.
   */
  endedAt(timeoutMs: number): Promise<number | undefined>;
  close(): Promise<void>;
}

/**
 * Opens one HTTP/2 connection to `target`; rejects, saying why, when the handshake fails or the
 * server does not speak HTTP/2 on it (ALPN selected something else, or the preface was refused).
 */
export async function openHttp2(target: Http2Target, timeoutMs: number): Promise<Http2Connection> {
  const { host, port } = splitHostPort(target.address);
  const from = target.localAddress === undefined ? {} : { localAddress: target.localAddress };
  const { tls } = target;
  const session = connect(`${tls ? 'https' : 'http'}://${target.address}`, {
    createConnection: () =>
      tls
        ? connectTls({
            host,
            port,
            ...from,
            ca: tls.caPem,
            servername: tls.serverName,
            ALPNProtocols: ['h2'],
          })
        : connectTcp({ host, port, ...from }),
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`no HTTP/2 connection within ${timeoutMs} ms`));
    }, timeoutMs);
    session.once('remoteSettings', () => {
      clearTimeout(timer);
      resolve();
    });
    session.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`the HTTP/2 connection failed: ${error.message}`));
    });
    session.once('close', () => {
      clearTimeout(timer);
      reject(new Error('the server closed the connection before its HTTP/2 settings'));
    });
  });
  // Errors after the handshake surface on the streams they end.
  session.on('error', () => {});
  const ended = new Promise<number>((resolve) => {
    session.once('goaway', () => resolve(wallClockMs()));
    session.once('close', () => resolve(wallClockMs()));
  });
  const alpn = (session.socket as TLSSocket).alpnProtocol;
  if (target.tls && alpn !== 'h2') {
    session.destroy();
    throw new Error(`ALPN selected ${alpn || 'no protocol'}, not h2`);
  }
  const request = (
    path: string,
    headers: Readonly<Record<string, string | readonly string[]>>,
    timeoutMs: number,
  ) => streamRequest(session, path, headers, timeoutMs);
  return {
    protocol: target.tls ? 'h2' : 'h2c',
    request,
    exchanges: (path, total, atOnce, timeoutMs) => streamsAtOnce(request, path, total, atOnce, timeoutMs),
    endedAt: (timeoutMs) => settledWithin(ended, timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        if (session.closed) resolve();
        else session.close(resolve);
      }),
  };
}

function streamRequest(
  session: ClientHttp2Session,
  path: string,
  headers: Readonly<Record<string, string | readonly string[]>>,
  timeoutMs: number,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'GET', ':path': path, ...headers }, { endStream: true });
    stream.setTimeout(timeoutMs, () => {
      stream.close(constants.NGHTTP2_CANCEL);
      reject(new Error(`no whole answer within ${timeoutMs} ms`));
    });
    let status = 0;
    const answerHeaders: Record<string, string> = {};
    stream.once('response', (head) => {
      status = Number(head[':status']);
      for (const [name, value] of Object.entries(head)) {
        if (!name.startsWith(':') && value !== undefined)
          answerHeaders[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
    });
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('error', (error) => reject(new Error(`the stream failed: ${error.message}`)));
    stream.once('end', () =>
      resolve({ status, headers: answerHeaders, body: Buffer.concat(chunks).toString() }),
    );
  });
}

function streamsAtOnce(
  request: Http2Connection['request'],
  path: string,
  total: number,
  atOnce: number,
  timeoutMs: number,
): Promise<Exchange[]> {
  return inLanes(total, atOnce, async (seq) => {
    const base = { client: 0, seq, sentAtMs: wallClockMs() };
    const started = performance.now();
    try {
      const answer = await request(path, { 'x-request-id': `c0-r${seq}` }, timeoutMs);
      const backendId = answer.headers['x-backend-id'];
      return {
        ...base,
        durationMs: performance.now() - started,
        status: answer.status,
        headers: answer.headers,
        body: answer.body.slice(0, 200),
        ...(backendId === undefined ? {} : { backendId }),
      };
    } catch (error) {
      return { ...base, durationMs: performance.now() - started, error: (error as Error).message };
    }
  });
}
