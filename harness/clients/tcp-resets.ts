import { connect, type Socket } from 'node:net';
import { splitHostPort } from './net.ts';

/** How a TCP connection ended, as its client saw it. */
export type TcpEnding = 'closed' | 'reset' | 'still open';

/**
 * Connects, waits for the first line (the fixture backend's greeting, which proves a backend holds
 * the other end), then resets the connection: an RST, not a FIN.
 */
export function resetAfterGreeting(address: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(splitHostPort(address));
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no greeting within ${timeoutMs} ms`));
    }, timeoutMs);
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (!received.includes('\n')) return;
      clearTimeout(deadline);
      socket.resetAndDestroy();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    socket.once('end', () => {
      clearTimeout(deadline);
      socket.destroy();
      reject(new Error(`the connection ended before a greeting (got ${JSON.stringify(received)})`));
    });
  });
}

/** Connects and waits, sending nothing, until the other side ends the connection or `timeoutMs` passes. */
export function awaitConnectionEnd(address: string, timeoutMs: number): Promise<TcpEnding> {
  return new Promise((resolve) => {
    const socket: Socket = connect(splitHostPort(address));
    const finish = (ending: TcpEnding): void => {
      clearTimeout(deadline);
      socket.destroy();
      resolve(ending);
    };
    const deadline = setTimeout(() => finish('still open'), timeoutMs);
    socket.resume();
    socket.once('end', () => finish('closed'));
    socket.once('error', () => finish('reset'));
  });
}
