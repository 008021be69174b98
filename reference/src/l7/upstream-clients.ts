import { connect } from 'node:net';
import { type ConnectionOptions, connect as connectTls } from 'node:tls';
import type { buildConnector, Pool } from 'undici';
import { parseAddress } from '../config/address.ts';
import type { UpstreamTlsConfig } from '../config/types.ts';
import type { Defects } from '../defects.ts';
import { upstreamTlsKey, upstreamTlsOptions } from './upstream-tls.ts';
import { BackendSockets } from './wire/backend-sockets.ts';

/** How long the fast path keeps an idle backend connection: below node's 5 s keep-alive timeout. */
const idleSocketMs = 4_000;

/** Requests at once on one HTTP/2 connection to a backend. */
const maxStreamsPerConnection = 100;

// Only node's path uses undici, and only its pool (see undici-pool.d.ts): 27 ms of CPU against 84
// for the whole package. A balancer whose requests all take the fast path never evaluates it.
let undici: { readonly Pool: typeof Pool } | undefined;

/**
 * Keep-alive connection pools to backends, one per address, kept across reloads for addresses that
 * stay in the config so a reload does not drop warm connections.
 */
export class UpstreamClients {
  readonly #pools = new Map<string, Pool>();
  readonly #sockets = new Map<string, BackendSockets>();
  #sweeper: NodeJS.Timeout | undefined;
  readonly #defects: Defects;

  constructor(defects: Defects = {}) {
    this.#defects = defects;
  }

  /** Loads the HTTP client `for` needs; undefined once it is loaded, so the caller need not wait. */
  ready(): Promise<void> | undefined {
    if (undici) return undefined;
    return import('undici/lib/dispatcher/pool.js').then((loaded) => {
      undici = { Pool: loaded.default };
    });
  }

  /**
   * The connection pool for a backend address, connect timeout, TLS setting (`tls`: the pool's,
   * absent for plain HTTP) and HTTP version, created on first use (after `ready`).
   */
  for(address: string, connectTimeoutMs: number, tls?: UpstreamTlsConfig, http2 = false): Pool {
    if (!undici) throw new Error('the HTTP client is not loaded yet: await UpstreamClients.ready() first');
    // The address last: retainOnly reads it from there.
    const key = `${connectTimeoutMs} ${upstreamTlsKey(tls)}${http2 ? ' h2' : ''} ${address}`;
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = new undici.Pool(`http://${address}`, {
        connections: 256,
        keepAliveTimeout: 4_000,
        // Over HTTP/2 a connection carries as many requests at once as a server commonly allows
        // streams (100); the pool opens another only when one is full.
        ...(http2 ? { allowH2: true, pipelining: maxStreamsPerConnection } : { pipelining: 1 }),
        connect: connectWithin(connectTimeoutMs, tls && upstreamTlsOptions(tls, this.#defects), http2),
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /** The fast path's kept-alive connections to a backend address, created on first use. */
  socketsFor(address: string): BackendSockets {
    let sockets = this.#sockets.get(address);
    if (!sockets) {
      const { host, port } = parseAddress(address) as { host: string; port: number };
      sockets = new BackendSockets(host, port);
      this.#sockets.set(address, sockets);
      this.#sweeper ??= setInterval(() => this.#sweep(), idleSocketMs / 4).unref();
    }
    return sockets;
  }

  #sweep(): void {
    const idleBefore = performance.now() - idleSocketMs;
    for (const sockets of this.#sockets.values()) sockets.sweep(idleBefore);
  }

  /**
   * Closes the pools of addresses no longer configured; their in-flight requests finish first
   * (`abortInFlight`: the reload-cuts-in-flight broken balancer's way, they are cut).
   */
  async retainOnly(addresses: ReadonlySet<string>, abortInFlight = false): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [address, sockets] of this.#sockets) {
      if (!addresses.has(address)) {
        this.#sockets.delete(address);
        if (abortInFlight) sockets.destroy();
        else sockets.close();
      }
    }
    for (const [key, pool] of this.#pools) {
      if (!addresses.has(key.slice(key.lastIndexOf(' ') + 1))) {
        this.#pools.delete(key);
        closing.push(abortInFlight ? pool.destroy() : pool.close());
      }
    }
    await Promise.all(closing);
  }

  /** Closes every pool, aborting what is still in flight. */
  async destroy(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    for (const sockets of this.#sockets.values()) sockets.destroy();
    this.#sockets.clear();
    clearInterval(this.#sweeper);
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
}

/**
 * Connects with a timer of its own: undici's connectTimeout ticks coarsely (300 ms took 1.1 s), and
 * a connect timeout is part of the spec. Fails with UND_ERR_CONNECT_TIMEOUT, as undici would. With
 * `tls`, the connection counts as made once the handshake is done and the certificate verified; a
 * certificate that does not verify fails it like a refused connection. With `http2`, the
 * connection speaks HTTP/2: over TLS when ALPN selects h2, in cleartext by prior knowledge.
 */
function connectWithin(
  timeoutMs: number,
  tls: ConnectionOptions | undefined,
  http2: boolean,
): buildConnector.connector {
  return ({ hostname, port }, callback) => {
    const where = { host: hostname.replace(/^\[|\]$/g, ''), port: Number(port), noDelay: true };
    const socket = tls
      ? connectTls({ ...where, ...tls, ALPNProtocols: http2 ? ['h2', 'http/1.1'] : ['http/1.1'] })
      : connect(where);
    // undici speaks HTTP/2 on a socket whose protocol says h2; a cleartext one says so by choice.
    if (http2 && !tls) Object.assign(socket, { alpnProtocol: 'h2' });
    const timer = setTimeout(() => {
      socket.destroy();
      const error = new Error(`no connection within ${timeoutMs} ms`) as Error & { code: string };
      error.code = 'UND_ERR_CONNECT_TIMEOUT';
      callback(error, null);
    }, timeoutMs);
    const failed = (error: Error): void => {
      clearTimeout(timer);
      callback(error, null);
    };
    socket.once('error', failed);
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', failed);
      socket.setKeepAlive(true, 60_000);
      callback(null, socket);
    });
  };
}
