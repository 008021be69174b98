import type { Socket } from 'node:net';
import type { AttemptLedger } from '../attempt-ledger.ts';
import type { Relay } from './relay.ts';

/** A connection to a backend whose reads go through `relay` (see joinAs). */
export interface BackendConnection {
  readonly socket: Socket;
  readonly relay: Relay;
}

/**
 * Joins a client connection to a connected backend (a TCP listener's, or an upgraded request's),
 * carrying bytes both ways until both directions have ended; `ledger` settles when the client's
 * side closes.
 */
export type ConnectionJoiner = (client: Socket, backend: BackendConnection, ledger: AttemptLedger) => void;

/** How a join behaves: the reference's choices (referenceJoining), which a broken balancer may alter. */
export interface Joining {
  /** An error (a reset) on one side: reset the other side too, or close the failed side only. */
  readonly onError: 'reset-both' | 'close-that-side';
  /** Stop reading the backend while the client cannot take more. */
  readonly backpressure: boolean;
  /** A client's half-close (FIN): passed on while the answer still flows, or ends both directions. */
  readonly clientHalfClose: 'passed-on' | 'ends-both';
}

/** Resets pass on, backpressure holds, a half-close is passed on and the other direction flows on. */
export const referenceJoining: Joining = {
  onError: 'reset-both',
  backpressure: true,
  clientHalfClose: 'passed-on',
};

/** A joiner that behaves as `joining` says. */
export function joinAs(joining: Joining): ConnectionJoiner {
  return (client, { socket: backend, relay }, ledger) => {
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
    const onError = (side: Socket) => (joining.onError === 'reset-both' ? resetBoth : () => side.destroy());
    client.removeAllListeners('error');
    client.on('error', onError(client));
    backend.on('error', onError(backend));
    // Both sockets allow half-open, so `end` from one side becomes a FIN on the other while data
    // still flows the other way; each socket closes once both directions have ended.
    if (joining.clientHalfClose === 'ends-both') client.once('end', () => client.end());
    client.pipe(backend);
    relay.into(backend, client, { holdBack: joining.backpressure });
    backend.once('end', () => client.end());
    client.resume();
  };
}

/** The reference's join. */
export const joinConnections: ConnectionJoiner = joinAs(referenceJoining);
