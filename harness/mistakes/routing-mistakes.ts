// Routing mistakes of the catalogue, read from the requests a scenario routed (method, target,
// where each should have gone and where it went) against the listener's routes.
import type { Measurements } from './measurements.ts';
import type { Mistake } from './mistake.ts';

type Routed = NonNullable<Measurements['routed']>[number];
type Route = NonNullable<Measurements['routes']>[number];

const pathOf = (target: string) => target.split('?')[0] ?? target;
const misrouted = (measured: Measurements): Routed[] =>
  (measured.routed ?? []).filter((request) => request.reached !== request.expected);
/** The first route (in config order) sending to `pool`, and its place. */
const routeTo = (measured: Measurements, pool: string): { route: Route; index: number } | undefined => {
  const index = (measured.routes ?? []).findIndex((route) => route.pool === pool);
  const route = measured.routes?.[index];
  return route ? { route, index } : undefined;
};

export const routingMistakes: readonly Mistake[] = [
  {
    id: 'route-prefix-matched-as-text',
    concept: 'layer 7 routing',
    title: 'A path prefix matches as text, not as whole segments',
    mistake: 'path.startsWith(prefix): "/api" also takes "/apix" and "/api-docs".',
    shows:
      "Requests whose path only begins with a route's prefix in the middle of a segment went to that route.",
    rootCause: 'A string prefix test stands in for a segment prefix test.',
    fix: 'Match when the path equals the prefix, or starts with it followed by "/" (a prefix ending in "/" matches what follows it).',
    scenarios: ['route-prefixes-match-whole-segments'],
    signature(measured) {
      return misrouted(measured).some((request) => {
        const prefix = routeTo(measured, request.reached)?.route.prefix;
        const path = pathOf(request.target);
        return (
          prefix !== undefined &&
          path !== prefix &&
          path.startsWith(prefix) &&
          !prefix.endsWith('/') &&
          path[prefix.length] !== '/'
        );
      })
        ? 1
        : 0;
    },
  },
  {
    id: 'route-method-ignored',
    concept: 'layer 7 routing',
    title: "A route's method condition is ignored",
    mistake:
      'Routes are matched on host, path and headers only, so a route meant for POST takes GET requests too.',
    shows:
      "Requests went to a route whose methods do not include theirs, or a route listing a request's method lost it to one that names none.",
    rootCause: 'The method list was parsed but not part of the match.',
    fix: "Match a route only when the request's method is in its list (when it has one), and count the method in the route's precedence.",
    scenarios: [
      'route-most-specific-wins-whichever-general-first',
      'route-most-specific-wins-whichever-specific-first',
    ],
    signature(measured) {
      // Either a route took a method it does not list, or a route that lists the request's method
      // lost it to one that names none (the condition did not count towards precedence).
      return misrouted(measured).some((request) => {
        const taken = routeTo(measured, request.reached)?.route.methods;
        const meant = routeTo(measured, request.expected)?.route.methods;
        return (
          (taken !== undefined && !taken.includes(request.method)) ||
          (meant?.includes(request.method) === true && taken === undefined)
        );
      })
        ? 1
        : 0;
    },
  },
  {
    id: 'routes-first-match-wins',
    concept: 'layer 7 routing',
    title: 'The first route that matches wins, whatever is more specific',
    mistake:
      'Routes are tried in the order the config lists them, so a general one written first ("/") takes requests a specific one ("/api/health") should get.',
    shows:
      'Misrouted requests went to a route listed before the one they belonged to, and that route also matches them.',
    rootCause:
      'Config order was taken as precedence; the spec ranks by specificity (exact over pattern over longer prefix, then method and header conditions).',
    fix: 'Sort routes by specificity once, when the config is loaded (exact path, then pattern, then longest prefix, then the number of other conditions), and take the first match in that order.',
    scenarios: ['route-most-specific-wins-whichever-general-first'],
    signature(measured) {
      const wrong = misrouted(measured);
      if (wrong.length === 0) return 0;
      return wrong.every((request) => {
        const reached = routeTo(measured, request.reached);
        const expected = routeTo(measured, request.expected);
        return reached !== undefined && expected !== undefined && reached.index < expected.index;
      })
        ? 1
        : 0;
    },
  },
  {
    id: 'header-regex-unanchored',
    concept: 'layer 7 routing',
    title: "A header's regex matches anywhere in the value",
    mistake: 'The regex is tested with a search, so "yes|true" also takes "yes-but" and "untrue".',
    shows:
      "A request whose header only contains a match of a route's regex (not all of it) went to that route.",
    rootCause: 'regex.test(value) finds a match anywhere; a header match means the whole value.',
    fix: 'Anchor the pattern as a whole: ^(?:pattern)$ (or use a full-match API).',
    scenarios: ['route-hosts-headers-query-parameters'],
    signature(measured) {
      return misrouted(measured).some((request) => {
        const colon = request.header?.indexOf(':') ?? -1;
        if (request.header === undefined || colon < 0) return false;
        const name = request.header.slice(0, colon).trim().toLowerCase();
        const value = request.header.slice(colon + 1).trim();
        return (routeTo(measured, request.reached)?.route.headerRegexes ?? []).some(
          (header) =>
            header.name.toLowerCase() === name &&
            new RegExp(header.regex).test(value) &&
            !new RegExp(`^(?:${header.regex})$`).test(value),
        );
      })
        ? 1
        : 0;
    },
  },
  {
    id: 'paths-routed-unnormalised',
    concept: 'layer 7 routing',
    title: 'Paths are routed as sent, dot segments and all',
    mistake:
      'The route is chosen by the raw path, before "." and ".." segments, encoded dots and doubled slashes are resolved.',
    shows:
      'A path with dot segments or doubled slashes went where its raw text points (or reached the backend unresolved).',
    rootCause:
      'Routing compares the target text; the backend resolves it afterwards, so "/public/../admin" passes the public route and is served as /admin.',
    fix: 'Decode %2E, resolve dot segments and merge slashes (RFC 3986 5.2.4) before routing, and forward the resolved path.',
    scenarios: ['hostile-dot-segments-doubled-slashes'],
    signature(measured) {
      const unresolved = (target: string) => /(^|\/)(\.|%2e){1,2}(\/|$|\?)|\/\/|%2e/i.test(pathOf(target));
      const wentAstray = misrouted(measured).some((request) => unresolved(request.target));
      const passedRaw = (measured.receivedTargets ?? []).some(
        ({ received, expected }) => received !== expected && unresolved(received),
      );
      return wentAstray || passedRaw ? 1 : 0;
    },
  },
  {
    id: 'route-rate-limit-on-whole-listener',
    concept: 'rate limiting',
    title: "A route's rate limit applies to every request of its listener",
    mistake:
      'The limit configured on one route is enforced on the listener, so requests no limited route takes are refused too.',
    shows: 'Requests whose path no rate-limited route matches were refused with 429.',
    rootCause: 'The limiter is looked up per listener, not per route the request matched.',
    fix: "Route first, then apply the listener's limit (if any) and the matched route's own limit.",
    scenarios: ['ratelimit-route-rate-limit-applies'],
    signature(measured) {
      const limitedPrefixes = (measured.routes ?? []).flatMap((route) =>
        route.rateLimited && route.prefix !== undefined ? [route.prefix] : [],
      );
      if (limitedPrefixes.length === 0) return 0;
      const unlimitedRuns = (measured.limitedRuns ?? []).filter(
        (run) =>
          run.path !== undefined &&
          !limitedPrefixes.some((prefix) => pathOf(run.path as string).startsWith(prefix)),
      );
      return unlimitedRuns.some((run) => run.answers.some((answer) => answer.status === 429)) ? 1 : 0;
    },
  },
];

export const targetMistakes: readonly Mistake[] = [
  {
    id: 'query-string-dropped',
    concept: 'proxying HTTP',
    title: 'The query string is dropped on the way to the backend',
    mistake: 'Only the path is forwarded: the part of the target after "?" is lost.',
    shows: 'A backend received a target without the query string it should have had.',
    rootCause:
      'The upstream target was built from the parsed path (or a rewritten path) without appending the query.',
    fix: 'Forward the target byte for byte; when rewriting the path, keep the query string as it came.',
    scenarios: ['proxy-request-target-reaches-backend'],
    signature: (measured) =>
      (measured.receivedTargets ?? []).some(
        ({ expected, received }) => expected.includes('?') && received === expected.split('?')[0],
      )
        ? 1
        : 0,
  },
  {
    id: 'rewrite-prefix-replaced-as-text',
    concept: 'layer 7 routing',
    title: 'A rewritten prefix is replaced as text, leaving a doubled slash',
    mistake:
      'The matched prefix is cut and the new one pasted in as strings, so "/api/v1/items" rewritten from "/api/v1" to "/" becomes "//items".',
    shows:
      'A backend received a rewritten path with a doubled slash where the expected one has a single one.',
    rootCause: 'Prefixes were treated as text, not as path segments joined by one slash.',
    fix: 'Replace whole segments: take the rest after the matched prefix, and join the new prefix and the rest with exactly one "/".',
    scenarios: ['action-rewrite-replaces-matched-prefix'],
    signature: (measured) =>
      (measured.receivedTargets ?? []).some(
        ({ expected, received }) => received !== expected && received.replace(/\/{2,}/g, '/') === expected,
      )
        ? 1
        : 0,
  },
  {
    id: 'redirect-status-fixed',
    concept: 'layer 7 routing',
    title: 'Every redirect answers the same status',
    mistake: 'Redirects always answer 302 (or 301), whatever status the route asks for.',
    shows: 'Redirects the routes ask to answer with different statuses all got the same one.',
    rootCause: 'The status was hard-coded in the redirect answer.',
    fix: "Answer each redirect with its route's status (301, 302, 307 or 308): 307 and 308 keep the method and body, 301 and 302 may not.",
    scenarios: ['action-redirects-answer-own-status'],
    signature(measured) {
      const redirects = measured.redirects ?? [];
      const asked = new Set(redirects.map(({ expected }) => expected));
      const got = new Set(redirects.map(({ status }) => status));
      return asked.size > 1 && got.size === 1 ? 1 : 0;
    },
  },
  {
    id: 'absolute-form-target-as-path',
    concept: 'proxying HTTP',
    title: 'An absolute-form target is taken for a path',
    mistake: '"GET http://host/path" is routed and forwarded with the whole URI as its path.',
    shows: 'A backend received the absolute URI the client sent where it should have received its path.',
    rootCause:
      'Only origin-form targets ("/path") were expected; HTTP/1.1 servers must accept absolute-form too (RFC 9112 3.2.2), taking the host from it.',
    fix: 'Parse an absolute-form target into its authority (which replaces Host) and its path and query; route and forward those.',
    scenarios: ['hostile-absolute-form-target-reaches-backend'],
    signature: (measured) =>
      (measured.receivedTargets ?? []).some(
        ({ sent, expected, received }) =>
          sent !== undefined && /^[a-z]+:\/\//i.test(sent) && received === sent && received !== expected,
      )
        ? 1
        : 0,
  },
  {
    id: 'header-add-replaces-values',
    concept: 'layer 7 routing',
    title: 'A header rule that adds replaces the values already there',
    mistake: '"add" sets the header, so what the client (or the backend) sent under that name is lost.',
    shows: "A header a route adds reached the backend with the route's value only, the client's gone.",
    rootCause: 'add and set were implemented alike; add must append beside the existing values.',
    fix: 'For add, append the value (a field line of its own, or joined with ", "); only set replaces.',
    scenarios: ['action-route-removes-sets-adds'],
    signature(measured) {
      const written = measured.handWritten;
      if (!written?.received) return 0;
      const received = written.received;
      const added = (measured.routes ?? []).flatMap((route) => route.addsHeaders ?? []);
      return added.some((name) => {
        const sent = written.sent.find(([candidate]) => candidate.toLowerCase() === name.toLowerCase())?.[1];
        const got = received[name.toLowerCase()];
        const text = Array.isArray(got) ? got.join(', ') : (got as string | undefined);
        return sent !== undefined && text !== undefined && !text.includes(sent);
      })
        ? 1
        : 0;
    },
  },
];
