// The sticky-session mistakes of the catalogue, read from what a client that keeps its affinity
// cookie got (which backend answered, which cookie it was given), and from the cookies' own text.
import { cookieAttributes, cookieValueOf, namesRevealed, type StickyAnswer } from '../clients/sticky.ts';
import type { Measurements } from './measurements.ts';
import type { Mistake } from './mistake.ts';

type Sticky = NonNullable<Measurements['sticky']>;

/** The attributes of the first affinity cookie the kept client was given, if it was given one. */
function firstCookieAttributes(measured: Measurements): Map<string, string> | undefined {
  const first = measured.sticky ? setCookies(measured.sticky.answers)[0] : undefined;
  return first === undefined ? undefined : cookieAttributes(first);
}

const setCookies = (answers: readonly StickyAnswer[]) =>
  answers.flatMap((answer) => (answer.setCookie ? [answer.setCookie] : []));

/** The client's answers before and after the scenario's change (the last phase's mark). */
function phases(sticky: Sticky): {
  before: readonly StickyAnswer[];
  after: readonly StickyAnswer[];
} {
  return { before: sticky.answers.slice(0, sticky.mark), after: sticky.answers.slice(sticky.mark) };
}

const pinnedBackend = (sticky: Sticky) => sticky.answers[0]?.backend;

const unavailableScenarios = [
  'sticky-health-client-backend-turns-unhealthy',
  'sticky-health-client-backend-drained-goes',
  'sticky-health-client-backend-opens-goes',
];

export const stickyMistakes: readonly Mistake[] = [
  {
    id: 'affinity-cookie-names-its-backend',
    concept: 'sticky sessions',
    title: 'The affinity cookie names its backend, so anyone can forge one',
    mistake:
      "The cookie's value is the backend's id, its address, or either in base64: it tells clients what is behind the balancer and lets them pick any backend.",
    shows: "An affinity cookie the balancer set holds a backend's id or address, in clear or in base64.",
    rootCause:
      'Encoding was mistaken for protection: base64 hides nothing, and an unsigned value can be written by anyone.',
    fix: "Set an opaque token: an HMAC (SHA-256) of the pool and the backend id under the configured secret; honour a cookie only when it matches one of the pool's backends' tokens.",
    scenarios: ['sticky-client-keeps-backend-through', 'sticky-forged-tampered-unknown-cookie'],
    signature(measured) {
      const sticky = measured.sticky;
      if (!sticky) return 0;
      // The names the scenario's own check looks for: each backend's id, address and port.
      const names = Object.entries(sticky.backendAddresses).flatMap(([id, address]) => [
        id,
        address,
        address.split(':').at(-1) ?? '',
      ]);
      const forged = (sticky.forged ?? []).flatMap(({ answers }) => answers);
      return setCookies([...sticky.answers, ...forged]).some(
        (line) => namesRevealed(cookieValueOf(line), names).length > 0,
      )
        ? 1
        : 0;
    },
  },
  {
    id: 'affinity-outranks-availability',
    concept: 'sticky sessions',
    title: 'An affinity cookie keeps sending its client to a backend that is out of rotation',
    mistake:
      'The cookie is honoured before availability is checked, so a pinned client follows its backend into failure, drain or an open breaker.',
    shows:
      "After the backend the client was pinned to went out of rotation, the client's requests still reached it.",
    rootCause:
      'The pinned lookup returns the backend by token without asking the pool whether it may take requests now.',
    fix: 'Honour a cookie only when its backend is available (healthy, not drained, breaker closed); otherwise balance the request as usual and set a fresh cookie.',
    scenarios: unavailableScenarios,
    signature(measured) {
      const sticky = measured.sticky;
      const pinned = sticky ? pinnedBackend(sticky) : undefined;
      if (!sticky || pinned === undefined || sticky.mark === 0) return 0;
      return phases(sticky).after.some((answer) => answer.backend === pinned) ? 1 : 0;
    },
  },
  {
    id: 'affinity-cookie-never-replaced',
    concept: 'sticky sessions',
    title: 'A stale affinity cookie is never replaced',
    mistake:
      'The cookie is set only for a client that sent none, so a client whose cookie no longer names an available backend (or names nothing) keeps it.',
    shows:
      'Requests whose cookie no longer pinned them were served by another backend, with no new cookie in the answer.',
    rootCause:
      'Set-Cookie was tied to "the request had no cookie" instead of "the cookie did not pin the backend that answered".',
    fix: "Whenever the backend that answers is not the one the request's cookie names (missing, stale, tampered or unavailable), set a fresh cookie for it.",
    scenarios: [
      'sticky-client-backend-leaves-pool',
      ...unavailableScenarios,
      'sticky-forged-tampered-unknown-cookie',
    ],
    signature(measured) {
      const sticky = measured.sticky;
      if (!sticky) return 0;
      const pinned = pinnedBackend(sticky);
      const moved = phases(sticky).after.filter((answer) => answer.backend !== pinned);
      const forged = (sticky.forged ?? []).flatMap(({ answers }) => answers);
      const unpinned = [...moved, ...forged].filter((answer) => answer.sentCookie !== undefined);
      return unpinned.length > 0 && unpinned.every((answer) => answer.setCookie === undefined) ? 1 : 0;
    },
  },
  {
    id: 'affinity-secret-per-process',
    concept: 'sticky sessions',
    title: 'Affinity cookies are signed with a secret drawn at each start',
    mistake:
      'The signing key is generated when the balancer starts instead of read from the config, so a restart or another instance does not recognise the cookies.',
    shows:
      'After a restart (or at a second balancer with the same config), the client was moved to another backend and given a new cookie, though its backend was still available.',
    rootCause: 'A random key "for safety" replaced the configured secret that instances must share.',
    fix: 'Sign with the configured secret; every instance with the same config then issues and honours the same tokens.',
    scenarios: [
      'sticky-affinity-survives-restart-balancer',
      'sticky-two-balancers-sharing-config',
      'fleet-sticky-cookie-honoured-by-every-instance',
      'fleet-instance-killed-others-serve',
    ],
    signature(measured) {
      if (measured.fleetAffinity) return cookiesHonouredOnlyWhereSet(measured.fleetAffinity);
      const sticky = measured.sticky;
      const pinned = sticky ? pinnedBackend(sticky) : undefined;
      if (!sticky || pinned === undefined || sticky.mark === 0) return 0;
      const firstAfter = phases(sticky).after[0];
      return firstAfter !== undefined && firstAfter.backend !== pinned && firstAfter.setCookie !== undefined
        ? 1
        : 0;
    },
  },
  {
    id: 'affinity-cookie-attributes-ignored',
    concept: 'sticky sessions',
    title: "The affinity cookie's configured attributes are ignored",
    mistake:
      'The cookie is always set with the same attributes, whatever path, maxAgeSeconds, sameSite and httpOnly say.',
    shows:
      'The Set-Cookie lacks an attribute the config gives (Path, Max-Age, SameSite) or carries one it turns off (HttpOnly).',
    rootCause: 'The attributes were written as a constant string when the cookie was first implemented.',
    fix: 'Build the Set-Cookie from the config: Path, Max-Age when maxAgeSeconds is set, SameSite, and HttpOnly only when httpOnly is true.',
    scenarios: ['cookie-carries-attributes-config-gives'],
    signature(measured) {
      const attributes = firstCookieAttributes(measured);
      const config = measured.sticky?.config;
      if (!attributes || !config) return 0;
      // cookieAttributes gives every value in lower case.
      const wrong =
        (config.path !== undefined && attributes.get('path') !== config.path.toLowerCase()) ||
        (config.maxAgeSeconds !== undefined && attributes.get('max-age') !== String(config.maxAgeSeconds)) ||
        (config.sameSite !== undefined && attributes.get('samesite') !== config.sameSite.toLowerCase()) ||
        (config.httpOnly === false && attributes.has('httponly'));
      return wrong ? 1 : 0;
    },
  },
  {
    id: 'affinity-cookie-persistent-by-default',
    concept: 'sticky sessions',
    title: 'Without maxAgeSeconds, the affinity cookie still outlives the browser session',
    mistake:
      'A default lifetime (Max-Age or Expires) is added where the config sets none, so the cookie survives the session it should end with.',
    shows: 'With no maxAgeSeconds in the config, the Set-Cookie carries Max-Age or Expires.',
    rootCause: 'A "sensible default" lifetime was hard-coded instead of leaving the cookie a session cookie.',
    fix: 'Add Max-Age only when maxAgeSeconds is configured; otherwise set a session cookie (neither Max-Age nor Expires).',
    scenarios: ['cookie-without-attributes-session-path'],
    signature(measured) {
      const attributes = firstCookieAttributes(measured);
      if (!attributes || measured.sticky?.config?.maxAgeSeconds !== undefined) return 0;
      return attributes.has('max-age') || attributes.has('expires') ? 1 : 0;
    },
  },
  {
    id: 'unpinned-requests-not-balanced',
    concept: 'sticky sessions',
    title: "A request without a valid cookie is not balanced by the pool's algorithm",
    mistake:
      "A request that no cookie pins goes to a backend drawn at random (or some other way) instead of taking its turn in the pool's rotation.",
    shows:
      'Requests without a valid cookie, sent one after another to a round-robin pool, reached the same backend twice in a row.',
    rootCause:
      "The unpinned case was written as its own pick instead of falling through to the pool's algorithm.",
    fix: 'When the cookie pins nothing, pick exactly as a pool without affinity would (and then set the cookie for that backend).',
    scenarios: ['sticky-request-without-valid-cookie'],
    signature(measured) {
      const answers = (measured.sticky?.forged ?? []).flatMap(({ answers: got }) =>
        got.map(({ backend }) => backend),
      );
      if (answers.length < 6 || measured.backends.length < 2) return 0;
      return answers.some((backend, i) => i > 0 && backend === answers[i - 1]) ? 1 : 0;
    },
  },
];

/**
 * 1 when every request that missed its client's pinned backend went to an instance other than the
 * one that set the cookie, and was given a new cookie there: each instance honours only its own.
 */
function cookiesHonouredOnlyWhereSet({
  clients,
  requests,
}: NonNullable<Measurements['fleetAffinity']>): number {
  const strays = requests.filter(
    (request) => request.backend !== undefined && request.backend !== clients[request.client]?.pinnedTo,
  );
  return strays.length > 0 &&
    strays.every((request) => request.instance !== clients[request.client]?.setBy && request.newCookie)
    ? 1
    : 0;
}
