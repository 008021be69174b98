import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { AttemptLedger } from '../attempt-ledger.ts';
import type { HashKey } from '../config/types.ts';
import type { Defects } from '../defects.ts';
import type { ListenerContext } from '../listener-context.ts';
import type { PoolRuntime, Upstream } from '../pools.ts';
import { retryDelayMs } from '../resilience/backoff.ts';
import { Relay } from './relay.ts';

/** A connection to a backend whose reads go through `relay` (see pipeBothWays). */
export interface BackendConnection {
  readonly socket: Socket;
  readonly relay: Relay;
}

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
  { defects, attemptChoices, openLedger }: Pick<ListenerContext, 'defects' | 'attemptChoices' | 'openLedger'>,
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
      pipeBothWays(client, backend, ledger, defects);
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

/**
 * Carries bytes both ways between `client` and a connected backend. The backend's side, where
 * the bulk of a transfer usually flows, goes through its relay; the client's through pipe().
 */
export function pipeBothWays(
  client: Socket,
  { socket: backend, relay }: BackendConnection,
  ledger: AttemptLedger,
  defects: Defects,
): void {
  const release = (): void => ledger.settle(true);
  // The client socket closes exactly once, after both directions ended or either side failed.
  if (client.destroyed) {
    release();
    backend.destroy();
    return;
  }
  client.once('close', release);
  const resetBoth = (): void => {
    if (!client.destroyed) client.resetAndDestroy();
    if (!backend.destroyed) backend.resetAndDestroy();
  };
  // Stryker disable next-line all: a broken balancer's defect, never on in a correct run
  const onError = (side: Socket) => (defects.resetsNotPassedOn ? () => side.destroy() : resetBoth);
  client.removeAllListeners('error');
  client.on('error', onError(client));
  backend.on('error', onError(backend));
  // Both sockets allow half-open, so `end` from one side becomes a FIN on the other while data
  // still flows the other way; each socket closes once both directions have ended.
  client.pipe(backend);
  relay.into(backend, client, { holdBack: !defects.relayIgnoresBackpressure });
  backend.once('end', () => client.end());
  client.resume();
}
