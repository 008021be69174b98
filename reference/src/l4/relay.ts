import type { Socket } from 'node:net';

/**
 * How many bytes one read from a backend may take. Larger reads mean fewer system calls per byte;
 * a read buffer is reused while the kernel takes each write whole, so it costs memory only while
 * the client reads slower than the backend sends.
 */
export const relayReadBytes = 256 * 1024;

/** What `net.connect` takes as `onread`: where the next read goes, and what to do with it. */
export interface OnRead {
  readonly buffer: () => Uint8Array;
  readonly callback: (bytes: number, buffer: Uint8Array) => boolean;
}

/**
 * Carries what a socket reads to another socket without a stream in between: the socket reads
 * into a buffer of the relay's own (`onread`), and each read is written as it is. Node's pipe()
 * allocates a buffer per read and passes it through a readable stream's queue and events first.
 * When the destination cannot take more, reading stops until it drains; backpressure is the same
 * as pipe()'s. Bytes read before `into` names a destination are held (copied) until it does.
 */
export class Relay {
  #buffer = Buffer.allocUnsafe(relayReadBytes);
  #source: Socket | undefined;
  #destination: Socket | undefined;
  readonly #held: Buffer[] = [];

  readonly onread: OnRead = {
    buffer: () => this.#buffer,
    callback: (bytes) => this.#deliver(bytes),
  };

  #holdBack = true;

  /**
   * Starts writing what `source` (connected with this relay's `onread`) reads to `destination`.
   * `holdBack: false` keeps reading however full `destination` is (a join without backpressure).
   */
  into(source: Socket, destination: Socket, { holdBack = true } = {}): void {
    this.#holdBack = holdBack;
    this.#source = source;
    this.#destination = destination;
    for (const chunk of this.#held.splice(0)) destination.write(chunk);
    if (destination.writableNeedDrain && holdBack) this.#waitForDrain(source, destination);
  }

  #deliver(bytes: number): boolean {
    const read = this.#buffer.subarray(0, bytes);
    const destination = this.#destination;
    if (!destination || !this.#source) {
      this.#held.push(Buffer.from(read));
      return true;
    }
    const more = destination.write(read);
    // A write the kernel did not take whole keeps the buffer until it completes: read into another.
    if (destination.writableLength > 0) this.#buffer = Buffer.allocUnsafe(relayReadBytes);
    if (more || !this.#holdBack) return true;
    this.#waitForDrain(this.#source, destination);
    return false;
  }

  #waitForDrain(source: Socket, destination: Socket): void {
    source.pause();
    destination.once('drain', () => source.resume());
  }
}
