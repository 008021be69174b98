import { connect, type Socket } from 'node:net';

// What one read from a backend connection may take.
const readBytes = 64 * 1024;

// Every backend connection of the fast path reads into this one buffer (`onread`): each read is
// handed on before the next can happen, so one buffer serves them all, in place of the buffer node
// allocates for each read and the readable stream's queue and events it goes through.
const readBuffer = Buffer.allocUnsafe(readBytes);

/** Whoever is using a backend connection right now: what it reads, and its end. */
export interface BackendUser {
  /** `bytes` are valid only during the call (the next read overwrites them): copy what is kept. */
  data(bytes: Buffer): void;
  /** The connection closed; `error` says why when it failed. */
  closed(error: Error | undefined): void;
}

/** One kept-alive connection to a backend, lent to one exchange at a time. */
export class BackendSocket {
  readonly socket: Socket;
  /** Answers it has carried: a request lost on a connection that carried some may go again. */
  answers = 0;
  #user: BackendUser | undefined;
  #error: Error | undefined;
  idleSince = 0;

  constructor(socket: Socket, onClose: (closed: BackendSocket) => void) {
    this.socket = socket;
    socket.on('error', (error) => {
      this.#error = error;
    });
    socket.on('close', () => {
      onClose(this);
      const user = this.#user;
      this.#user = undefined;
      user?.closed(this.#error);
    });
  }

  /** What the connection read into `readBuffer`. */
  read(bytes: Buffer): void {
    // Bytes on an idle connection answer nothing asked: it cannot be trusted with a request.
    if (this.#user) this.#user.data(bytes);
    else this.socket.destroy();
  }

  /** Lends the connection to `user` (undefined: takes it back). */
  lend(user: BackendUser | undefined): void {
    this.#user = user;
  }
}

/**
 * Kept-alive connections to one backend address, for the fast path. Idle connections are reused
 * newest first, and those idle past `keepAliveMs` are closed by `sweep`, before a backend's own
 * keep-alive timeout (node's is 5 s) would close them under a request.
 */
export class BackendSockets {
  readonly #host: string;
  readonly #port: number;
  readonly #idle: BackendSocket[] = [];
  readonly #open = new Set<BackendSocket>();
  #closed = false;

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
  }

  /** An idle connection, if one is open. */
  take(): BackendSocket | undefined {
    for (let idle = this.#idle.pop(); idle; idle = this.#idle.pop()) {
      if (!idle.socket.destroyed && idle.socket.writable) return idle;
    }
    return undefined;
  }

  /** Takes back a connection whose answer was whole, to lend again. */
  give(backend: BackendSocket): void {
    backend.lend(undefined);
    if (this.#closed || backend.socket.destroyed) {
      backend.socket.destroy();
      return;
    }
    backend.idleSince = performance.now();
    this.#idle.push(backend);
  }

  /**
   * A new connection, or an error: ECONNREFUSED and the like, or one with code
   * UND_ERR_CONNECT_TIMEOUT when none was made within `timeoutMs`.
   */
  connect(timeoutMs: number, done: (error: Error | undefined, backend?: BackendSocket) => void): void {
    const socket = connect({
      host: this.#host,
      port: this.#port,
      noDelay: true,
      onread: {
        buffer: () => readBuffer,
        callback: (bytes: number, buffer: Uint8Array) => {
          // Reads begin once connected, after `backend` below exists.
          backend.read((buffer as Buffer).subarray(0, bytes));
          return true;
        },
      },
    });
    let settled = false;
    const backend = new BackendSocket(socket, (closed) => {
      this.#open.delete(closed);
      this.#forget(closed);
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        done(failure ?? new Error(`the connection to ${this.#host}:${this.#port} closed`));
      }
    });
    this.#open.add(backend);
    let failure: Error | undefined;
    socket.once('error', (error) => {
      failure = error;
    });
    const timer = setTimeout(() => {
      const error = new Error(`no connection within ${timeoutMs} ms`) as Error & { code: string };
      error.code = 'UND_ERR_CONNECT_TIMEOUT';
      failure = error;
      socket.destroy();
    }, timeoutMs);
    socket.once('connect', () => {
      settled = true;
      clearTimeout(timer);
      socket.setKeepAlive(true, 60_000);
      done(undefined, backend);
    });
  }

  /** Closes the connections idle since before `idleBefore` (a performance.now() time). */
  sweep(idleBefore: number): void {
    let stale = 0;
    while (stale < this.#idle.length && (this.#idle[stale] as BackendSocket).idleSince < idleBefore) stale++;
    for (const idle of this.#idle.splice(0, stale)) idle.socket.destroy();
  }

  /** Closes the idle connections now and the others as their answers end. */
  close(): void {
    this.#closed = true;
    for (const idle of this.#idle.splice(0)) idle.socket.destroy();
  }

  /** Closes every connection now, those lent out too. */
  destroy(): void {
    this.close();
    for (const backend of this.#open) backend.socket.destroy();
  }

  #forget(closed: BackendSocket): void {
    const at = this.#idle.indexOf(closed);
    if (at >= 0) this.#idle.splice(at, 1);
  }
}
