import type { Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Connections held per client address, for a listener's maxConnectionsPerClient. admit() counts a
 * new connection in (and out again when it closes), or closes it at once when its client is at
 * the limit.
 */
export class ConnectionsPerClient {
  readonly #open = new Map<string, number>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  admit(socket: Socket): boolean {
    const client = socket.remoteAddress ?? '';
    const open = this.#open.get(client) ?? 0;
    if (open >= this.#max) {
      socket.destroy();
      return false;
    }
    this.#open.set(client, open + 1);
    socket.once('close', () => {
      const left = (this.#open.get(client) ?? 1) - 1;
      if (left === 0) this.#open.delete(client);
      else this.#open.set(client, left);
    });
    return true;
  }
}

/** The error a body larger than maxBodyBytes ends with. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
  }
}

/** Passes a body through, failing with BodyTooLargeError once more than `limit` bytes went by. */
export function bodyLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) done(new BodyTooLargeError(limit));
      else done(null, chunk);
    },
  });
}
