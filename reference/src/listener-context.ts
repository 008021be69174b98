import type { LedgerOpener } from './attempt-ledger.ts';
import type { Defects } from './defects.ts';
import type { AttemptChoices } from './l7/attempt-choices.ts';
import type { FailureAnswers } from './l7/own-answers.ts';
import type { RequestVetter } from './l7/request-vetting.ts';
import type { ForwardDecision, RedirectDecision, RoutableRequest } from './l7/router.ts';
import type { UpstreamClients } from './l7/upstream-clients.ts';
import type { RateLimiter } from './limits/rate-limiter.ts';
import type { PoolRuntime } from './pools.ts';

/** A routing decision with the pool that serves it right now. */
export type Routed = RedirectDecision | (Omit<ForwardDecision, 'pool'> & { readonly pool: PoolRuntime });

/** A forwarded request as it goes upstream, but for its method and body. */
export interface UpstreamRequest {
  readonly target: string;
  /** Flat [name, value, ...]. */
  readonly headers: string[];
}

/** Shapes a forwarded request for its backend (forwarding-headers.ts has the reference's). */
export type UpstreamRequestShaper = (
  rawHeaders: readonly string[],
  clientAddress: string | undefined,
  routed: Routed & { kind: 'forward' },
) => UpstreamRequest;

/** What a listener asks of the balancer for each request: what to do with it right now. */
export interface ListenerContext {
  /** The decision for a request (TCP: a connection, which goes to the listener's pool); undefined when no route matches. */
  routeFor(listenerAddress: string, request: RoutableRequest): Routed | undefined;
  /** The rate limits a request to this listener, so routed, must pass: the listener's, then its route's. */
  limitsFor(listenerAddress: string, routed: Routed | undefined): readonly RateLimiter[];
  readonly clients: UpstreamClients;
  readonly vetRequest: RequestVetter;
  readonly shapeUpstreamRequest: UpstreamRequestShaper;
  readonly failureAnswers: FailureAnswers;
  readonly attemptChoices: AttemptChoices;
  readonly openLedger: LedgerOpener;
  readonly defects: Defects;
}
