import type {
  Arrival,
  BackendStats,
  CancelledCall,
  HealthAnswer,
  HealthLog,
  UnansweredCheck,
} from '../../fixtures/backend/stats.ts';
import type { CertifiedKey } from '../tls/test-pki.ts';

export type { Arrival, BackendStats, CancelledCall, HealthAnswer, HealthLog, UnansweredCheck };

/**
 * Wire protocol of a fixture backend: HTTP answers requests, HTTPS the same over TLS with a
 * certificate for localhost and 127.0.0.1 from the run's CA, TCP greets and echoes, gRPC serves
 * lbspec.Echo over cleartext HTTP/2.
 */
export type BackendProtocol = 'http' | 'https' | 'tcp' | 'grpc';

/** A backend a scenario asks for. */
export interface BackendSpec {
  readonly id: string;
  readonly protocol: BackendProtocol;
}

/** A running backend: where it listens, how to steer it, and the faults a scenario may inject. */
export interface StartedBackend extends AsyncDisposable {
  readonly id: string;
  readonly protocol: BackendProtocol;
  /** host:port of its data port, as a balancer config names it. */
  readonly address: string;
  /** Whether it is meant to be serving now (false after stop, kill or pause). */
  readonly running: boolean;
  stats(): Promise<BackendStats>;
  /** Requests (HTTP) or connections (TCP) in the order they arrived since stats were last reset. */
  arrivals(): Promise<readonly Arrival[]>;
  /** gRPC: the calls a client cancelled before their answer, since its counts were last reset. */
  cancelledCalls(): Promise<readonly CancelledCall[]>;
  /** The health checks it answered since its counts were last reset, in order (HTTP). */
  healthLog(): Promise<HealthLog>;
  /** Zeroes its counters and arrival log (not its behaviour). */
  resetStats(): Promise<void>;
  /** Partial update of its behaviour (fixtures/backend/behaviour.ts). */
  setBehaviour(update: Record<string, unknown>): Promise<void>;
  /** HTTPS: serves this certificate and key from the next handshake on, until the scenario ends. */
  serveCertificate(certified: CertifiedKey): Promise<void>;
  /** SIGTERM: closes its sockets and exits; connections are then refused. */
  stop(): Promise<void>;
  /** SIGKILL: dies at once, as in a crash. */
  kill(): Promise<void>;
  /** Freezes it: connections are still accepted by the kernel, but nothing is answered. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Starts it again on the same address after stop or kill. */
  restart(): Promise<void>;
  /** Process output and final stats, for the report of a failed scenario. */
  evidence(): Promise<string>;
  /** Set when it exited without being told to: the scenario must fail. */
  readonly unexpectedExit: string | undefined;
}

/** Starts backends; `process` (OS processes) is the default provider. */
export interface BackendProvider extends AsyncDisposable {
  readonly name: string;
  /** Starts backends as `specs` say, all or none: anew, or from those kept for reuse. */
  start(specs: readonly BackendSpec[]): Promise<StartedBackend[]>;
  /**
   * Takes back a scenario's backends. With `reuse`, those never stopped, killed, paused or
   * restarted are kept for a later start in this process, which resets them as if new; the rest
   * stop. A backend given back must not be used again: its methods throw.
   */
  release(backends: readonly StartedBackend[], reuse: boolean): Promise<void>;
}
