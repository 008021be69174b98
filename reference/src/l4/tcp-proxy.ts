import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { HashKey } from '../config/types.ts';
import type { ListenerContext } from '../listener-context.ts';
import type { PoolRuntime, Upstream } from '../pools.ts';
import { retryDelayMs } from '../resilience/backoff.ts';
import type { BackendConnection } from './join.ts';
import { Relay } from './relay.ts';

/**
 * Pipes one client connection to a backend chosen from `pool`, both ways. A backend that cannot be
 * connected to is retried on another as the pool's retry policy allows (nothing was sent yet: the
 * client's bytes wait until a backend connects). A half-close on either side is passed on (the
 * other direction keeps flowing); an error on either side resets both. With no backend available
 * the client connection is reset.
 */
export async function proxyTcpConnection(
  client: Socket,
  pool: PoolRuntime | undefined,
  {
    joinConnections,
    attemptChoices,
    openLedger,
  }: Pick<ListenerContext, 'joinConnections' | 'attemptChoices' | 'openLedger'>,
): Promise<void> {
  client.pause();
  client.setNoDelay(true);
  let clientClosed = false;
  client.once('close', () => {
    clientClosed = true;
  });
  client.on('error', () => client.destroy());
  pool?.retryBudget?.recordRequest();
  // A connection's only key is its client's address.
  const keyOfClient = attemptChoices.requestKey({
    target: '',
    clientAddress: client.remoteAddress,
    clientPort: client.remotePort,
    header: () => undefined,
  });
  const keyOfConnection = (hashKey: HashKey) =>
    hashKey.from === 'client-ip' ? keyOfClient(hashKey) : undefined;
  const tried = new Set<Upstream>();
  let previous: Upstream | undefined;
  for (let retriesSoFar = 0; ; retriesSoFar++) {
    const upstream =
      pool && attemptChoices.backendFor(pool, { pinnedTo: undefined, tried, key: keyOfConnection, previous });
    if (!pool || !upstream) {
      client.resetAndDestroy();
      return;
    }
    tried.add(upstream);
    previous = upstream;
    const ledger = openLedger(upstream);
    const backend = await connectWithin(upstream);
    if (backend) {
      ledger.record({ connected: true });
      joinConnections(client, backend, ledger);
      return;
    }
    ledger.settle(false);
    ledger.record({ failure: 'connect-failure' });
    const retry = {
      retriesSoFar,
      failure: 'connect-failure',
      method: 'CONNECT',
      bodyReplayable: true,
    } as const;
    const policy = pool.config.retries;
    if (clientClosed || !pool.takeRetry(retry)) {
      client.resetAndDestroy();
      return;
    }
    await delay(retryDelayMs(retriesSoFar + 1, policy as NonNullable<typeof policy>, attemptChoices.jitter));
    if (clientClosed) return;
  }
}

/** A connection to `upstream`, or undefined when it refused or did not answer in time. */
export function connectWithin(upstream: Upstream): Promise<BackendConnection | undefined> {
  return new Promise((resolve) => {
    const relay = new Relay();
    const socket = connect({
      host: upstream.host,
      port: upstream.port,
      allowHalfOpen: true,
      noDelay: true,
      onread: relay.onread,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, upstream.pool.config.timeouts.connectMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve({ socket, relay });
    });
    socket.once('error', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    });
  });
}
