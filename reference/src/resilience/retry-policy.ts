import type { RetryableFailure, RetryConfig } from '../config/types.ts';

/** How one attempt at a backend ended, in the terms a retry policy names. */
export type AttemptFailure = Exclude<RetryableFailure, number> | { readonly status: number };

// RFC 9110 9.2.2: repeating these has the same effect as sending them once.
const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** Whether `method` may be sent twice; unknown methods are assumed not to be. */
export function isIdempotent(method: string): boolean {
  return idempotentMethods.has(method.toUpperCase());
}

/** What an attempt left behind that decides whether it may be retried. */
export interface FailedAttempt {
  /** Retries already made for this request. */
  readonly retriesSoFar: number;
  readonly failure: AttemptFailure;
  readonly method: string;
  /** The request body can be sent again (none, or kept in memory). */
  readonly bodyReplayable: boolean;
}

/**
 * Whether a failed attempt may be retried under `policy` (budget aside). A failure to connect sent
 * nothing, so even a POST may be retried after one; after any other failure, a request that is not
 * idempotent is retried only when the policy says so.
 */
export function mayRetry(policy: RetryConfig | undefined, attempt: FailedAttempt): boolean {
  if (!policy || attempt.retriesSoFar >= policy.attempts || !attempt.bodyReplayable) return false;
  const { failure } = attempt;
  const named =
    typeof failure === 'string' ? policy.retryOn.includes(failure) : policy.retryOn.includes(failure.status);
  if (!named) return false;
  return failure === 'connect-failure' || policy.retryNonIdempotent || isIdempotent(attempt.method);
}

// Errors that mean the connection was never made, so nothing of the request was sent.
const connectErrorCodes = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
]);

/**
 * How an attempt that got no answer failed, for the backend's record and the retry policy, and
 * whether the client's answer says so with 504 (nothing in time: connecting or waiting) or 502.
 */
export function attemptFailure(
  error: unknown,
  timedOutWaiting: boolean,
): { readonly failure: Exclude<AttemptFailure, { status: number }>; readonly answerTimedOut: boolean } {
  const failure = timedOutWaiting ? 'timeout' : classifyError(error);
  const answerTimedOut =
    failure === 'timeout' || (error as { code?: string }).code === 'UND_ERR_CONNECT_TIMEOUT';
  return { failure, answerTimedOut };
}

/** Classifies a transport error from an attempt (undici or node:net). */
export function classifyError(error: unknown): Exclude<AttemptFailure, { status: number }> {
  const code = (error as { code?: string }).code ?? '';
  if (connectErrorCodes.has(code)) return 'connect-failure';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'timeout';
  return 'reset';
}
