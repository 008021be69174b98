import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { timeouts } from '../timing/timeouts.ts';
import { settledWithin } from '../timing/waiting.ts';
import { splitHostPort } from './net.ts';
import { skipInterimAnswers } from './raw-answers.ts';
import { wallClockMs } from './traffic.ts';

/** How a connection the harness opened ended up, and when. */
export interface ConnectionFate {
  /** What the balancer sent before closing (or until the wait ended). */
  readonly received: string;
  /** Whether the balancer closed the connection (rather than the wait ending). */
  readonly closed: boolean;
  /** When it closed, or the wait ended, in wall-clock ms. */
  readonly atMs: number;
}

/** A connection from `from` to `address`, with the first bytes the balancer sends back. */
export interface OpenConnection {
  readonly socket: Socket;
  /** Resolves when the balancer closes the connection, or after `waitMs`, with what it sent. */
  fate(waitMs: number): Promise<ConnectionFate>;
}

export function openConnection(address: string, from: string): OpenConnection {
  const socket = connect({ ...splitHostPort(address), localAddress: from, noDelay: true });
  let received = '';
  let closedAtMs: number | undefined;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closedAtMs = wallClockMs();
      resolve();
    }),
  );
  return {
    socket,
    async fate(waitMs) {
      await settledWithin(closed, waitMs);
      return { received, closed: closedAtMs !== undefined, atMs: closedAtMs ?? wallClockMs() };
    },
  };
}

/** Writes `text` one byte every `everyMs`, stopping early if the socket closes. */
export async function trickle(socket: Socket, text: string, everyMs: number): Promise<void> {
  for (const character of text) {
    if (socket.destroyed) return;
    socket.write(character);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Resolves with the answer head once `socket` has one; rejects if it closes first or within `timeoutMs` nothing whole came. */
export function answerHead(socket: Socket, timeoutMs = timeouts.requestMs): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const done = (error?: Error): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (error) reject(error);
      else resolve(received);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) done();
    };
    const onClose = (): void =>
      done(new Error(`closed without an answer: ${JSON.stringify(received.slice(0, 100))}`));
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

/**
 * Sends `text` as is and reads what comes back until the balancer closes (closed) or the request
 * time runs out (the client then closes); a reset after an answer keeps the answer. With
 * `stopOnAnswer`, the text goes in pieces as the balancer reads them, and no more is sent once a
 * final answer's head has come: a client reads while it sends, as RFC 9112 9.6 expects of one
 * whose request may be refused before it is all sent.
 */
export function sendRawText(
  address: string,
  text: string,
  { stopOnAnswer = false }: { readonly stopOnAnswer?: boolean } = {},
): Promise<{ status: number | undefined; received: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(splitHostPort(address));
    let received = '';
    let closed = true;
    const finish = (): void => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(skipInterimAnswers(received).rest)?.[1];
      resolve({ status: status === undefined ? undefined : Number(status), received, closed });
    };
    const timer = setTimeout(() => {
      closed = false;
      socket.destroy();
    }, timeouts.requestMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.once('close', finish);
    if (!stopOnAnswer) {
      socket.write(text);
      return;
    }
    const answered = () => {
      const rest = skipInterimAnswers(received).rest;
      return /^HTTP\/1\.[01] \d{3}/.test(rest) && rest.includes('\r\n\r\n');
    };
    void (async () => {
      const bytes = Buffer.from(text, 'latin1');
      for (let at = 0; at < bytes.length && !answered() && !socket.destroyed; at += pieceBytes) {
        if (!socket.write(bytes.subarray(at, at + pieceBytes))) await once(socket, 'drain').catch(() => {});
      }
    })();
  });
}

// Small enough that a refusal is seen after at most this many more bytes are written.
const pieceBytes = 65_536;
