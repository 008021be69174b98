import { type LedgerOpener, openLedger } from './attempt-ledger.ts';
import type { RateLimitConfig } from './config/types.ts';
import { type ConnectionJoiner, joinConnections } from './l4/join.ts';
import { passAnswer } from './l7/answer-passing.ts';
import { type AttemptChoices, referenceAttemptChoices } from './l7/attempt-choices.ts';
import { shapeUpstreamRequest } from './l7/forwarding-headers.ts';
import {
  type Http2ConnectionReader,
  type Http2RequestHeaders,
  http1Headers,
  type IdleSessionsOf,
  idleSessions,
} from './l7/http2-front.ts';
import { type FailureAnswers, referenceFailureAnswers } from './l7/own-answers.ts';
import { type ParseRefusalStatus, parseRefusalStatus } from './l7/parse-refusals.ts';
import { holdBodyForRetries, type RequestBodyHolder } from './l7/request-body.ts';
import { type RequestVetter, vetRequest } from './l7/request-vetting.ts';
import { hostOfRequest, type RouteMatching, type RoutingHost, referenceRouteMatching } from './l7/router.ts';
import { RateLimiter } from './limits/rate-limiter.ts';
import type { BucketStore } from './limits/token-bucket.ts';
import type { AnswerPasser, UpstreamRequestShaper } from './listener-context.ts';
import { type PoolParts, referencePoolParts } from './pools.ts';

/**
 * The parts a balancer is assembled from that a broken balancer may swap for one of its own: each
 * broken balancer in fixtures/broken/ replaces one part with its wrong code, built from the
 * reference's exported pieces, so the reference's own code holds no defect for it.
 */
export interface Parts extends PoolParts {
  /** What is checked of a request's target and Host before it is routed. */
  readonly vetRequest: RequestVetter;
  /** The status of the answer to a request node's HTTP parser refused. */
  readonly parseRefusalStatus: ParseRefusalStatus;
  /** The header fields an HTTP/2 request carries upstream as HTTP/1.1 (:authority as Host, cookies joined). */
  readonly http2RequestHeaders: Http2RequestHeaders;
  /** What the HTTP/2 server reads a connection's frames from (the connection itself). */
  readonly http2ConnectionReader: Http2ConnectionReader;
  /** When an HTTP/2 connection counts as idle for limits.idleTimeoutMs, and what ends it then. */
  readonly http2IdleSessions: IdleSessionsOf;
  /** How routes match and which wins. */
  readonly routeMatching: RouteMatching;
  /** The host a request is routed by, given its Host and its TLS server name. */
  readonly routingHost: RoutingHost;
  /** A forwarded request's target and headers upstream. */
  readonly shapeUpstreamRequest: UpstreamRequestShaper;
  /** What of a request's body is held in memory before it goes upstream (node's path). */
  readonly holdRequestBody: RequestBodyHolder;
  /**
   * How a backend's answer is passed on (node's path; the fast path passes answers byte by byte,
   * so a balancer that replaces this part serves every request on node's path).
   */
  readonly passAnswer: AnswerPasser;
  /** The balancer's own answers when no backend is available or a backend failed. */
  readonly failureAnswers: FailureAnswers;
  /** A request's hash key, the backend each attempt goes to, whether a lost one goes again, a retry's jitter. */
  readonly attemptChoices: AttemptChoices;
  /** The account of one attempt with its backend: in flight until settled, then its outcome. */
  readonly openLedger: LedgerOpener;
  /** How a client connection and a backend's are joined (TCP listeners, upgraded requests). */
  readonly joinConnections: ConnectionJoiner;
  /** A rate limit's limiter over the buckets its config names (a reload makes new ones; in memory, full). */
  readonly rateLimiter: (config: RateLimitConfig, buckets: BucketStore) => RateLimiter;
}

/** The reference's parts. */
export const referenceParts: Parts = {
  ...referencePoolParts,
  vetRequest,
  parseRefusalStatus,
  http2RequestHeaders: http1Headers,
  http2ConnectionReader: (socket) => socket,
  http2IdleSessions: idleSessions,
  routeMatching: referenceRouteMatching,
  routingHost: hostOfRequest,
  shapeUpstreamRequest,
  holdRequestBody: holdBodyForRetries,
  passAnswer,
  failureAnswers: referenceFailureAnswers,
  attemptChoices: referenceAttemptChoices,
  openLedger,
  joinConnections,
  rateLimiter: (config, buckets) => new RateLimiter(config, buckets),
};

/** What a broken balancer replaces: whole parts, or single selection algorithms by name. */
export type PartOverrides = Partial<Omit<Parts, 'selectors'>> & {
  readonly selectors?: Partial<Parts['selectors']>;
};

/** The reference's parts with `overrides` in their place. */
export function assembleParts(overrides: PartOverrides = {}): Parts {
  return {
    ...referenceParts,
    ...overrides,
    selectors: { ...referenceParts.selectors, ...overrides.selectors },
  };
}
