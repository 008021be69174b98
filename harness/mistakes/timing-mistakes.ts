// Mistakes in the balancer's own timers and connections to backends: read from how long clients
// waited, and from how many connections a backend accepted for the requests it got.
import type { Measurements } from './measurements.ts';
import type { Mistake } from './mistake.ts';

/** Exchanges that got no good answer and took far longer than `limitMs`: 3 times it and half a second. */
const waitedFarLonger = (measured: Measurements, limitMs: number) =>
  measured.exchanges.some(
    (exchange) =>
      (exchange.error !== undefined || exchange.status === undefined || exchange.status >= 500) &&
      exchange.durationMs > 3 * limitMs + 500,
  );

export const timingMistakes: readonly Mistake[] = [
  {
    id: 'response-timeout-ignored',
    concept: 'timeouts',
    title: 'A backend that never answers is waited for forever',
    mistake:
      'timeouts.responseMs is never armed, so a hung backend holds its client (and a slot of the balancer) until the client gives up.',
    shows:
      'A request to a backend that did not answer took far longer than the response timeout and got no 504.',
    rootCause:
      'The proxy relies on the backend or the client to end the exchange; no timer of its own bounds the wait for the answer.',
    fix: "Start a timer when the request has been sent; when it fires before the answer's head (or while the body pauses), abort the upstream exchange and answer 504.",
    scenarios: ['timeout-backend-never-answers-gets', 'breaker-hanging-backend-gets-more'],
    signature: (measured) =>
      measured.timeouts && waitedFarLonger(measured, measured.timeouts.responseMs) ? 1 : 0,
  },
  {
    id: 'connect-timeout-ignored',
    concept: 'timeouts',
    title: 'A connection to a backend is waited for forever',
    mistake:
      'timeouts.connectMs is never applied, so a backend that accepts no connection (packets dropped) stalls every request sent its way.',
    shows: 'A request to a backend that could not be connected to took far longer than the connect timeout.',
    rootCause: "The operating system's own connect timeout (minutes) is all there is.",
    fix: 'Abort a connection attempt after connectMs; count it as a connect failure (so retries and passive health see it) and answer 504.',
    scenarios: ['timeout-backend-cannot-connected-gets', 'retry-backend-cannot-connected-time'],
    signature: (measured) =>
      measured.timeouts && waitedFarLonger(measured, measured.timeouts.connectMs) ? 1 : 0,
  },
  {
    id: 'no-upstream-keep-alive',
    concept: 'connections',
    title: 'Every request opens a new connection to its backend',
    mistake: 'Upstream connections are closed after each answer instead of being kept for the next request.',
    shows: 'A backend accepted about as many connections as it got requests.',
    rootCause:
      'A new client per request, or "Connection: close" sent upstream; each request pays a handshake and leaves a socket in TIME_WAIT.',
    fix: 'Keep a pool of idle connections per backend and reuse them; close one only when the backend does, it has been idle too long, or an answer leaves it unusable.',
    scenarios: ['proxy-client-requests-share-connection'],
    signature(measured) {
      return Object.entries(measured.accepted ?? {}).some(([id, accepted]) => {
        const received = measured.received?.[id] ?? 0;
        return received >= 5 && accepted >= 0.8 * received;
      })
        ? 1
        : 0;
    },
  },
  {
    id: 'lost-request-not-resent',
    concept: 'connections',
    title: 'A GET lost on a kept-alive connection the backend closed is not sent again',
    mistake:
      'When a reused upstream connection turns out to be closed as the request goes out, the client gets a 502, though nothing reached the backend and the request may be sent again.',
    shows:
      'GET requests got 502 answers that no backend gave, where the backend had closed an idle kept-alive connection.',
    rootCause:
      'A race every keep-alive pool meets (RFC 9112 9.3.1): the backend closes an idle connection just as the proxy reuses it.',
    fix: 'When a reused connection closes before any byte of the answer, send an idempotent request again, once, on a new connection (count nothing against the backend).',
    scenarios: ['faulty-get-lost-connection-backend'],
    signature: (measured) =>
      measured.exchanges.some((exchange) => exchange.status === 502 && exchange.backendId === undefined)
        ? 1
        : 0,
  },
  {
    id: 'lost-non-idempotent-resent',
    concept: 'connections',
    title: 'A POST lost on a kept-alive connection is sent again',
    mistake:
      'Every request lost on a reused connection is sent again, a POST included, though the backend may have acted on it.',
    shows: 'The backend counted more arrivals than the client sent requests.',
    rootCause:
      'The resend after a keep-alive race ignores the method; only requests that are safe to repeat may be.',
    fix: 'Resend only idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS) with a body that can be replayed; answer 502 for the rest.',
    scenarios: ['faulty-post-lost-connection-backend'],
    signature(measured) {
      const received = Object.values(measured.received ?? {}).reduce((sum, count) => sum + count, 0);
      return measured.exchanges.length > 0 && received > measured.exchanges.length ? 1 : 0;
    },
  },
  {
    id: 'exits-on-a-bad-config',
    concept: 'reloads',
    title: 'A bad config on reload brings the balancer down',
    mistake:
      'A config that fails validation on reload makes the process exit, where it should be refused while the old one keeps serving.',
    shows: 'The balancer exited, unasked, in a scenario that offered it an invalid config.',
    rootCause: 'Reload reuses the start-up path, where an invalid config rightly ends the process.',
    fix: 'On reload, validate the new config fully before touching anything; if it is invalid, log why, report it on the admin status and keep serving the old one.',
    scenarios: ['admin-invalid-new-config-refused'],
    signature: (measured) => (measured.balancerExit !== undefined ? 1 : 0),
  },
];
