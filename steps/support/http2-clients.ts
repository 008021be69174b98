// HTTP/2 connections to the scenario's listener: over TLS when it terminates TLS, else h2c.
import { ExpectationError } from '../../harness/checks/expectations.ts';
import { openRawHttp2, type RawHttp2Connection } from '../../harness/clients/h2-frames.ts';
import { type Http2Connection, openHttp2 } from '../../harness/clients/http2.ts';
import { timeouts } from '../../harness/timing/timeouts.ts';
import { testPki } from '../../harness/tls/test-pki.ts';
import { serverName } from './tls-listener.ts';
import type { LbWorld } from './world.ts';

/**
 * One HTTP/2 connection to the first listener: ALPN "h2" over TLS, trusting the run's CA, when the
 * listener has TLS; prior knowledge otherwise. Fails the scenario when the listener will not speak it.
 */
export async function openHttp2To(world: LbWorld, localAddress?: string): Promise<Http2Connection> {
  const listener = world.config.listeners[0];
  const tls = listener?.tls ? { caPem: (await testPki()).caPem, serverName } : undefined;
  try {
    return await openHttp2(
      {
        address: world.listenerAddress,
        ...(tls ? { tls } : {}),
        ...(localAddress === undefined ? {} : { localAddress }),
      },
      timeouts.requestMs,
    );
  } catch (error) {
    throw new ExpectationError(
      `expected the listener to speak HTTP/2 (${tls ? 'ALPN h2 over TLS' : 'prior knowledge, in cleartext'}): ${(error as Error).message}`,
    );
  }
}

/** Runs `use` on a fresh HTTP/2 connection, closed afterwards whatever happens. */
export async function overOneHttp2Connection<T>(
  world: LbWorld,
  use: (connection: Http2Connection) => Promise<T>,
  localAddress?: string,
): Promise<T> {
  const connection = await openHttp2To(world, localAddress);
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}

/** A connection to the first listener that writes HTTP/2 frames by hand, over TLS when it has TLS. */
export async function openRawHttp2To(world: LbWorld): Promise<RawHttp2Connection> {
  const tls = world.config.listeners[0]?.tls ? { caPem: (await testPki()).caPem, serverName } : undefined;
  return openRawHttp2(world.listenerAddress, tls, timeouts.requestMs);
}
