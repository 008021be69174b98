import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** How long a refused request's client may go on sending after its answer (nginx: lingering_timeout 5 s). */
export const lingerMs = 5_000;

/**
 * Closes the connection of a request answered before its body was read (413, 400) the way RFC 9112
 * 9.6 asks: the answer goes out, then a half-close, and the rest of the body is read and thrown
 * away until the request ends, the client closes, or `lingerMs` pass. Closing at once while the
 * client is still sending makes the kernel answer its next bytes with a reset, and a reset can
 * destroy the answer before the client reads it (nginx's lingering_close does the same).
 * Node's HTTP server ends a "Connection: close" answer's socket through destroySoon(); this
 * replaces that call for this one socket.
 */
export function closeLingeringly(request: IncomingMessage, waitMs = lingerMs): void {
  const socket = request.socket as Socket;
  socket.destroySoon = function lingeringClose(this: Socket): void {
    let answered = false;
    let quiet = request.complete;
    const timer = setTimeout(() => this.destroy(), waitMs);
    timer.unref();
    const closeWhenDone = (): void => {
      if (answered && quiet) {
        clearTimeout(timer);
        this.destroy();
      }
    };
    this.once('finish', () => {
      answered = true;
      closeWhenDone();
    });
    const clientDone = (): void => {
      quiet = true;
      closeWhenDone();
    };
    request.once('end', clientDone);
    this.once('end', clientDone);
    this.once('close', () => clearTimeout(timer));
    request.resume();
    this.end();
  };
}
