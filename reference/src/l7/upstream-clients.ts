import { connect } from 'node:net';
import { type buildConnector, Pool } from 'undici';

/**
 * Keep-alive connection pools to backends, one per address, kept across reloads for addresses that
 * stay in the config so a reload does not drop warm connections.
 */
export class UpstreamClients {
  readonly #pools = new Map<string, Pool>();

  /** The connection pool for a backend address and connect timeout, created on first use. */
  for(address: string, connectTimeoutMs: number): Pool {
    const key = `${connectTimeoutMs} ${address}`;
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = new Pool(`http://${address}`, {
        connections: 256,
        keepAliveTimeout: 4_000,
        pipelining: 1,
        connect: connectWithin(connectTimeoutMs),
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /**
   * Closes the pools of addresses no longer configured; their in-flight requests finish first
   * (`abortInFlight`: the reload-cuts-in-flight broken balancer's way, they are cut).
   */
  async retainOnly(addresses: ReadonlySet<string>, abortInFlight = false): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [key, pool] of this.#pools) {
      if (!addresses.has(key.slice(key.indexOf(' ') + 1))) {
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
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
}

/**
 * Connects with a timer of its own: undici's connectTimeout ticks coarsely (300 ms took 1.1 s), and
 * a connect timeout is part of the spec. Fails with UND_ERR_CONNECT_TIMEOUT, as undici would.
 */
function connectWithin(timeoutMs: number): buildConnector.connector {
  return ({ hostname, port }, callback) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port), noDelay: true });
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
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', failed);
      socket.setKeepAlive(true, 60_000);
      callback(null, socket);
    });
  };
}
