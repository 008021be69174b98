import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { AttemptLedger, LedgerOpener } from '../attempt-ledger.ts';
import type { RetryConfig } from '../config/types.ts';
import type { Defects } from '../defects.ts';
import { BodyTooLargeError, bodyLimit } from '../limits/connection-limit.ts';
import type { AnswerPasser, ListenerContext, Routed, UpstreamRequest } from '../listener-context.ts';
import type { KeyOf, Upstream } from '../pools.ts';
import { retryDelayMs } from '../resilience/backoff.ts';
import type { AttemptChoices } from './attempt-choices.ts';
import { cookieValue } from './hash-key.ts';
import { answeredWhole } from './http2-front.ts';
import { closeLingeringly } from './lingering-close.ts';
import { type FailureAnswers, sendError, sendOwnAnswer, sendRedirect } from './own-answers.ts';
import type { RequestBody, RequestBodyHolder } from './request-body.ts';
import type { RedirectDecision } from './router.ts';
import { schemeOf } from './tls-termination.ts';
import { type AnswerHead, UpstreamAttempt } from './upstream-attempt.ts';
import type { UpstreamClients } from './upstream-clients.ts';

/**
 * Proxies one HTTP request to a backend chosen from `pool`, streaming both bodies. A failed attempt
 * is retried on another backend when the pool's retry policy and budget allow, after a backoff
 * with full jitter; otherwise the client gets 502 (refused, reset) or 504 (no answer in time).
 */
export async function proxyHttpRequest(
  request: IncomingMessage,
  response: ServerResponse,
  routed: Routed | undefined,
  {
    clients,
    defects,
    shapeUpstreamRequest,
    holdRequestBody,
    passAnswer,
    failureAnswers,
    attemptChoices,
    openLedger,
  }: Pick<
    ListenerContext,
    | 'clients'
    | 'defects'
    | 'shapeUpstreamRequest'
    | 'holdRequestBody'
    | 'passAnswer'
    | 'failureAnswers'
    | 'attemptChoices'
    | 'openLedger'
  >,
  /** Headers every answer gets (a rate limit's RateLimit headers). */
  answerHeaders: Readonly<Record<string, string>> = {},
  /** The listener's maxBodyBytes, for bodies whose length was not declared. */
  maxBodyBytes?: number,
): Promise<void> {
  if (routed?.kind !== 'forward') {
    answerUnforwarded(request, response, routed);
    return;
  }
  const loading = clients.ready();
  if (loading) await loading;
  const upstreamRequest = shapeUpstreamRequest(
    request.rawHeaders,
    request.socket.remoteAddress,
    routed,
    schemeOf(request.socket),
  );
  const forwarding = await beginForwarding(request, response, routed, upstreamRequest, holdRequestBody, {
    clients,
    defects,
    passAnswer,
    failureAnswers,
    attemptChoices,
    openLedger,
    answerHeaders,
    maxBodyBytes,
  });
  if (!forwarding) return; // the client went away while sending its body
  await forwardWithRetries(forwarding);
}

/**
 * What the attempts at a request need, prepared once: its target and headers upstream, its body
 * (read into memory when retries may send it again), its hash key and affinity cookie.
 */
async function beginForwarding(
  request: IncomingMessage,
  response: ServerResponse,
  routed: Routed & { kind: 'forward' },
  { target, headers }: UpstreamRequest,
  holdRequestBody: RequestBodyHolder,
  settings: Pick<
    Forwarding,
    | 'clients'
    | 'defects'
    | 'passAnswer'
    | 'failureAnswers'
    | 'attemptChoices'
    | 'openLedger'
    | 'answerHeaders'
    | 'maxBodyBytes'
  >,
): Promise<Forwarding | undefined> {
  const { pool } = routed;
  pool.retryBudget?.recordRequest();
  const client = watchClient(response, settings.defects);
  const body = await holdRequestBody(request, (pool.config.retries?.attempts ?? 0) > 0).catch(
    () => undefined,
  );
  if (!body) return undefined;
  const sticky = pool.config.stickySession;
  return {
    ...settings,
    request,
    response,
    routed,
    client,
    body,
    dispatched: { method: request.method as string, path: target, headers },
    key: settings.attemptChoices.requestKey({
      target: request.url ?? '/',
      clientAddress: request.socket.remoteAddress,
      clientPort: request.socket.remotePort,
      header: (name) => headerText(request, name),
    }),
    // The backend the client's affinity cookie names, if the pool has sticky sessions.
    pinnedTo: sticky ? cookieValue(headerText(request, 'cookie'), sticky.cookie) : undefined,
  };
}

/** Attempts the request on one backend after another until one answers or the policy gives up. */
async function forwardWithRetries(forwarding: Forwarding): Promise<void> {
  const { request, response, routed, client, key } = forwarding;
  const { pool } = routed;
  const tried = new Set<Upstream>();
  let previous: Upstream | undefined;
  // Where a request lost on a kept-alive connection goes again (once), whatever the retry policy.
  let resendTo: Upstream | undefined;
  let resent = false;
  for (let retriesSoFar = 0; ; retriesSoFar++) {
    const upstream =
      resendTo ??
      forwarding.attemptChoices.backendFor(pool, { pinnedTo: forwarding.pinnedTo, tried, key, previous });
    resendTo = undefined;
    if (!upstream) {
      sendOwnAnswer(response, forwarding.failureAnswers.noBackend(pool));
      request.resume();
      return;
    }
    tried.add(upstream);
    previous = upstream;
    const ledger = forwarding.openLedger(upstream);
    const attempt = new UpstreamAttempt();
    client.attempt = attempt;
    const turn = { upstream, attempt, ledger, retriesSoFar };
    const result = await attemptOnce(turn, forwarding);
    const next =
      result.kind === 'failed'
        ? await afterFailure(result, turn, !resent, forwarding)
        : await afterAnswer(result.head, turn, forwarding);
    if (next === 'done') return;
    if (next === 'resend') {
      resent = true;
      resendTo = upstream;
      retriesSoFar--;
    }
  }
}

/** A redirect, or 404 when no route matched: answered here, the request's body left unread. */
function answerUnforwarded(
  request: IncomingMessage,
  response: ServerResponse,
  routed: RedirectDecision | undefined,
): void {
  if (routed) sendRedirect(response, routed.status, routed.location, routed.responseHeaders);
  else
    sendError(
      response,
      404,
      `no route matches ${request.method} ${request.headers.host ?? request.headers[':authority'] ?? '(no host)'}${request.url}`,
    );
  request.resume();
}

/** What every attempt at one request shares. */
interface Forwarding {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly routed: Routed & { kind: 'forward' };
  readonly clients: UpstreamClients;
  readonly defects: Defects;
  readonly passAnswer: AnswerPasser;
  readonly failureAnswers: FailureAnswers;
  readonly attemptChoices: AttemptChoices;
  readonly openLedger: LedgerOpener;
  readonly client: ClientWatch;
  readonly body: RequestBody;
  readonly maxBodyBytes: number | undefined;
  readonly answerHeaders: Readonly<Record<string, string>>;
  /** The request as it goes upstream, but for its body. */
  readonly dispatched: { readonly method: string; readonly path: string; readonly headers: string[] };
  readonly key: KeyOf;
  readonly pinnedTo: string | undefined;
}

/** One attempt: the backend it goes to, and what it holds there. */
interface Turn {
  readonly upstream: Upstream;
  readonly attempt: UpstreamAttempt;
  readonly ledger: AttemptLedger;
  readonly retriesSoFar: number;
}

/** What comes after an attempt: the request is answered, sent again as lost, or retried. */
type NextStep = 'done' | 'resend' | 'retry';

/** Whether the client went away, and the attempt its going aborts. */
interface ClientWatch {
  attempt: UpstreamAttempt | undefined;
  gone: boolean;
  readonly goneController: AbortController;
}

function watchClient(response: ServerResponse, defects: Defects): ClientWatch {
  // Signals cost an allocation each (and stream.pipeline one more, with a DOMException when it
  // ends), so the hot path makes one per attempt and touches the controller's signal only to back off.
  const watch: ClientWatch = { attempt: undefined, gone: false, goneController: new AbortController() };
  // 'close' comes exactly once, whether the response finished, failed or the client went away.
  response.once('close', () => {
    if (answeredWhole(response)) return;
    watch.gone = true;
    if (!defects.attemptOutlivesClient) watch.attempt?.abort(new Error('the client went away'));
    watch.goneController.abort();
  });
  return watch;
}

type AttemptResult =
  | { readonly kind: 'answered'; readonly head: AnswerHead }
  | { readonly kind: 'failed'; readonly error: unknown; readonly timedOutWaiting: boolean };

/** Sends the request once and waits for the head of the answer, at most the response timeout. */
async function attemptOnce({ upstream, attempt }: Turn, forwarding: Forwarding): Promise<AttemptResult> {
  const { request, body, maxBodyBytes } = forwarding;
  // undici's own headersTimeout ticks in whole seconds; a timer of our own is exact.
  const { connectMs, responseMs } = upstream.pool.config.timeouts;
  let timedOutWaiting = false;
  const responseTimer = setTimeout(() => {
    timedOutWaiting = true;
    attempt.abort(new Error(`no answer within ${responseMs} ms`));
  }, responseMs);
  try {
    const { tls, http2 } = upstream.pool.config;
    forwarding.clients.for(upstream.address, connectMs, tls, http2).dispatch(
      {
        ...forwarding.dispatched,
        body: body.replayable
          ? body.bytes
          : maxBodyBytes === undefined
            ? request
            : request.pipe(bodyLimit(maxBodyBytes)),
      },
      attempt,
    );
    return { kind: 'answered', head: await attempt.head };
  } catch (error) {
    return { kind: 'failed', error, timedOutWaiting };
  } finally {
    clearTimeout(responseTimer);
  }
}

/** An attempt that got no answer: 413, sent again once as lost, retried, or 502/504. */
async function afterFailure(
  { error, timedOutWaiting }: { readonly error: unknown; readonly timedOutWaiting: boolean },
  { upstream, ledger, retriesSoFar }: Turn,
  mayStillResend: boolean,
  { request, response, routed, client, body, maxBodyBytes, attemptChoices, failureAnswers }: Forwarding,
): Promise<NextStep> {
  ledger.settle(false);
  if (client.gone) return 'done';
  if (isBodyTooLarge(error)) {
    response.setHeader('connection', 'close');
    closeLingeringly(request);
    sendError(response, 413, `the request body is larger than ${maxBodyBytes} bytes`);
    return 'done';
  }
  // RFC 9112 9.3.1: a backend may close a kept-alive connection just as a request goes out on it.
  // The backend did not fail, so nothing is counted against it; an idempotent request whose body
  // can be sent again goes once more, on a new connection, and anything else gets its 502.
  if (
    mayStillResend &&
    lostOnReusedConnection(error) &&
    attemptChoices.resendsLost(request.method ?? 'GET', body.replayable)
  )
    return 'resend';
  const { failure, answerTimedOut } = ledger.recordFailure(error, timedOutWaiting);
  const retry = { retriesSoFar, failure, method: request.method ?? 'GET', bodyReplayable: body.replayable };
  if (routed.pool.takeRetry(retry))
    return await backOffThenRetry(retriesSoFar, routed, attemptChoices.jitter, client);
  sendOwnAnswer(response, failureAnswers.upstreamFailure(upstream, error, answerTimedOut));
  return 'done';
}

/** An attempt that got an answer: a 5xx retried where the policy allows, anything else forwarded. */
async function afterAnswer(
  head: AnswerHead,
  { upstream, attempt, ledger, retriesSoFar }: Turn,
  {
    request,
    response,
    routed,
    defects,
    client,
    body,
    answerHeaders,
    pinnedTo,
    attemptChoices,
    passAnswer,
  }: Forwarding,
): Promise<NextStep> {
  const status = head.statusCode;
  const retry = {
    retriesSoFar,
    failure: { status },
    method: request.method ?? 'GET',
    bodyReplayable: body.replayable,
  };
  const retrying = status >= 500 && routed.pool.takeRetry(retry);
  // Stryker disable next-line all: a broken balancer's defect, never on in a correct run
  if (!(retrying && defects.breakerSeesFinalOutcomeOnly)) ledger.record({ status });
  if (retrying) {
    await attempt.discard();
    ledger.settle(false);
    return await backOffThenRetry(retriesSoFar, routed, attemptChoices.jitter, client);
  }
  response.once('close', () => ledger.settle(status < 500));
  await passAnswer({
    attempt,
    head,
    response,
    upstream,
    pinnedTo,
    rules: routed.responseHeaders,
    answerHeaders,
  });
  return 'done';
}

/** Waits out the backoff before the next retry: 'retry', or 'done' if the client went away meanwhile. */
async function backOffThenRetry(
  retriesSoFar: number,
  routed: Routed & { kind: 'forward' },
  random: () => number,
  client: ClientWatch,
): Promise<NextStep> {
  const waited = await backOff(
    retriesSoFar + 1,
    routed.pool.config.retries,
    random,
    client.goneController.signal,
  );
  return waited ? 'retry' : 'done';
}

/**
 * Whether the connection closed before any answer, having carried answers before: undici reports
 * the socket's lifetime byte counts with the error, and a fresh connection has read nothing.
 */
export function lostOnReusedConnection(error: unknown): boolean {
  for (let cause = error; cause; cause = (cause as { cause?: unknown }).cause) {
    const { code, socket } = cause as { code?: string; socket?: { bytesRead?: number } };
    if (code === 'UND_ERR_SOCKET') return (socket?.bytesRead ?? 0) > 0;
  }
  return false;
}

// undici may hand the body stream's own error back wrapped.
function isBodyTooLarge(error: unknown): boolean {
  for (let cause = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if (cause instanceof BodyTooLargeError) return true;
  }
  return false;
}

/** A request header's value; repeated headers joined with ", ". */
export function headerText(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Waits before retry `retry`; false when the client went away meanwhile. */
async function backOff(
  retry: number,
  policy: RetryConfig | undefined,
  random: () => number,
  signal: AbortSignal,
): Promise<boolean> {
  if (!policy) return true;
  const delayMs = retryDelayMs(retry, policy, random);
  if (delayMs <= 0) return !signal.aborted;
  try {
    await delay(delayMs, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
