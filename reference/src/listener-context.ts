import type { ServerResponse } from 'node:http';
import type { LedgerOpener } from './attempt-ledger.ts';
import type { HeaderRules } from './config/types.ts';
import type { Defects } from './defects.ts';
import type { ConnectionJoiner } from './l4/join.ts';
import type { AttemptChoices } from './l7/attempt-choices.ts';
import type { Http2ConnectionReader, Http2RequestHeaders, IdleSessionsOf } from './l7/http2-front.ts';
import type { FailureAnswers } from './l7/own-answers.ts';
import type { ParseRefusalStatus } from './l7/parse-refusals.ts';
import type { RequestBodyHolder } from './l7/request-body.ts';
import type { RequestVetter } from './l7/request-vetting.ts';
import type { ForwardDecision, RedirectDecision, RoutableRequest, RoutingHost } from './l7/router.ts';
import type { AnswerHead, UpstreamAttempt } from './l7/upstream-attempt.ts';
import type { UpstreamClients } from './l7/upstream-clients.ts';
import type { RateLimiter } from './limits/rate-limiter.ts';
import type { PoolRuntime, Upstream } from './pools.ts';

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
  /** How the client reached the listener: "https" where the listener terminates TLS. */
  scheme: Scheme,
) => UpstreamRequest;

export type Scheme = 'http' | 'https';

/** A backend's answer on node's path, its head in and its body still to come, and where it goes. */
export interface BackendAnswer {
  readonly attempt: UpstreamAttempt;
  readonly head: AnswerHead;
  readonly response: ServerResponse;
  readonly upstream: Upstream;
  /** The backend the client's affinity cookie named, if its pool is sticky. */
  readonly pinnedTo: string | undefined;
  /** The route's rules for the answer's headers. */
  readonly rules: HeaderRules | undefined;
  /** Headers every answer gets (a rate limit's RateLimit headers). */
  readonly answerHeaders: Readonly<Record<string, string>>;
}

/** Passes a backend's answer on to the client (answer-passing.ts has the reference's); settles once the client's answer has ended. */
export type AnswerPasser = (answer: BackendAnswer) => Promise<void>;

/** What a listener asks of the balancer for each request: what to do with it right now. */
export interface ListenerContext {
  /** The decision for a request (TCP: a connection, which goes to the listener's pool); undefined when no route matches. */
  routeFor(listenerAddress: string, request: RoutableRequest): Routed | undefined;
  /**
   * TCP with sniRoutes: the pool of the first route naming `serverName` (a wildcard for one label),
   * else the listener's pool; undefined without one.
   */
  poolForServerName(listenerAddress: string, serverName: string | undefined): PoolRuntime | undefined;
  /** The rate limits a request to this listener, so routed, must pass: the listener's, then its route's. */
  limitsFor(listenerAddress: string, routed: Routed | undefined): readonly RateLimiter[];
  readonly clients: UpstreamClients;
  readonly vetRequest: RequestVetter;
  readonly routingHost: RoutingHost;
  /** The header fields an HTTP/2 request carries upstream as HTTP/1.1. */
  readonly http2RequestHeaders: Http2RequestHeaders;
  /** What a listener's HTTP/2 server reads a connection's frames from. */
  readonly http2ConnectionReader: Http2ConnectionReader;
  readonly http2IdleSessions: IdleSessionsOf;
  readonly parseRefusalStatus: ParseRefusalStatus;
  readonly shapeUpstreamRequest: UpstreamRequestShaper;
  readonly holdRequestBody: RequestBodyHolder;
  readonly passAnswer: AnswerPasser;
  readonly failureAnswers: FailureAnswers;
  readonly attemptChoices: AttemptChoices;
  readonly openLedger: LedgerOpener;
  readonly joinConnections: ConnectionJoiner;
  readonly defects: Defects;
}
