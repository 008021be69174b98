/**
 * Each deliberately broken balancer in fixtures/broken/ and the scenarios its defect breaks, by
 * scenario id: the suite must fail every one of them when run against it (test/suite-runs.test.ts).
 */
// Scenarios are named by their stable ids (their @id: tags; `lbspec list scenarios` shows them with
// their titles), so that a reworded title changes nothing here.
type Protocol = 'http' | 'tcp';

const evenSpread = (protocol: Protocol) => `rr-sequential-requests-spread-exactly-${protocol}`;
const rotation = (protocol: Protocol) => `rr-requests-rotate-order-config-${protocol}`;
const concurrent = (protocol: Protocol) => `rr-concurrent-clients-still-spread-${protocol}`;
const stoppedBackend = (protocol: Protocol) => `rr-stopped-backend-never-silent-${protocol}`;
const reconfigured = (protocol: Protocol) => `rr-changing-pool-runtime-rotates-${protocol}`;
const onlyBackend = (protocol: Protocol) => `rr-pool-backend-gets-request-${protocol}`;
const halfClose = 'rr-tcp-connection-carries-data';
const tcpResets = 'rr-reset-either-side-tcp';
const heldBack = 'rr-tcp-client-reads-nothing';
const both = (scenario: (protocol: Protocol) => string) => [scenario('http'), scenario('tcp')];

const heldOnIdle = (protocol: Protocol) => `lc-new-requests-go-backend-${protocol}`;
const lcSlow = (protocol: Protocol) => `lc-slow-backend-receives-far-${protocol}`;
const lcPeaks = 'lc-variable-request-durations-backend';
const lcCountsReturn = 'lc-in-flight-counts-return-zero';
const wrrCycles = (protocol: Protocol) => `wrr-backend-gets-exactly-weight-${protocol}`;
const wrrHeterogeneous = 'wrr-heterogeneous-weights-1-100';
const wrrZero = 'wrr-backend-weight-0-gets';
const wrrRuntime = 'wrr-weights-changed-runtime-take';
const p2cMostLoaded = (protocol: Protocol) => `p2c-most-loaded-backend-gets-${protocol}`;
const p2cUniform = 'p2c-equally-loaded-backends-share';
const p2cIdlePair = 'p2c-backend-busy-idle-two';
const lcWeighted = (protocol: Protocol) => `lc-held-requests-fill-backends-${protocol}`;
const p2cWeighted = (protocol: Protocol) => `p2c-held-requests-fill-two-${protocol}`;
const p2cSlow = 'p2c-slow-backend-receives-well';
const randomUniform = 'random-requests-spread-uniformly-over';
const checkFails = 'health-backend-fails-checks-taken';
const checkFlaps = 'health-failed-checks-fewer-unhealthy';
const checkHangs = 'health-check-gets-answer-fails';
const checkKilled = (protocol: Protocol) => `health-killed-backend-taken-out-${protocol}`;
const checkPerPool = 'health-kept-per-pool';
const checkInitial = 'health-backend-starts-unhealthy-gets';
const checkFallExact = 'health-exactly-unhealthy-threshold-failed';
const checkRiseExact = 'health-exactly-healthy-threshold-passed';
const checkRiseShort = 'health-passed-checks-fewer-healthy';
const checkSlowPasses = 'health-check-answered-after-interval';
const checkLateFails = 'health-check-answered-after-timeout';
const ejectionGrows = 'outlier-failures-row-eject-backend';
const ejectionShare = 'outlier-more-configured-share-pool';
const retryStopped = (protocol: Protocol) => `retry-request-stopped-backend-retried-${protocol}`;
const retryKilled = 'retry-clients-idempotent-requests-see';
const postNotRetried = 'retry-post-reached-backend-retried';
const postRetriedWhenAllowed = 'retry-post-retried-after-reset';
const postRetriedUnsent = 'retry-post-could-connect-retried';
const retryElsewhere = 'retry-goes-backend-has-failed';
const backoff = 'retry-retries-back-off-exponentially';
const budget = 'retry-budget-keeps-failing-pool';
const connectTimeout = 'timeout-backend-cannot-connected-gets';
const retryConnectTimeout = 'retry-backend-cannot-connected-time';
const breakerOpens = 'breaker-failures-row-open-failed';
const breakerRate = 'breaker-failure-rate-over-window';
const breakerCloses = 'breaker-successful-trial-closes-backend';
const breakerTrials = 'breaker-half-open-lets-exactly-trial';
const breakerSeesRetried = 'breaker-failed-attempts-retry-hides';
const breakerAllOpen = 'breaker-open-clients-get-503';
const breaker4xx = 'breaker-answers-4xx-do-open';
const breakerCap = 'breaker-hanging-backend-gets-more';
const forwarded = 'proxy-backend-learns-client-address';
const forwardedChain = 'proxy-client-x-forwarded-for-chain-kept';
const forwardedVsConnection = 'proxy-connection-header-cannot-take';
const hopByHop = 'proxy-hop-by-hop-headers-stop-balancer';
const byteExact = 'proxy-request-target-reaches-backend';
const precedence = (order: 'general-first' | 'specific-first') =>
  `route-most-specific-wins-whichever-${order}`;
const segmentPrefixes = 'route-prefixes-match-whole-segments';
const hostsHeadersQuery = 'route-hosts-headers-query-parameters';
const passThrough = 'proxy-method-status-passes-through';
const badGateway = 'proxy-backend-resets-refuses-connection';
const expectContinue = 'proxy-client-expects-100-continue';
const streaming = (framing: 'content-length' | 'chunked') => `proxy-100-mb-go-up-${framing}`;
const keepAlive = 'proxy-client-requests-share-connection';
const webSocket = 'proxy-websocket-proxied-end-end';
const limitUpgrades = 'ratelimit-websocket-upgrade-spends-token';
const webSocketGreeting = 'proxy-backend-speaks-first-websocket';
const hashRestart = 'hash-same-key-reaches-same';
const hashFrom = (where: 'cookie' | 'query-parameter' | 'path' | 'client-address') =>
  `hash-key-can-come-${where}`;
const hashAdded = 'hash-backend-added-four-takes';
const hashRemoved = 'hash-backend-removed-gives-up';
const hashOutOfService = 'hash-backend-out-service-gives';
const stickyKeeps = 'sticky-client-keeps-backend-through';
const stickyForged = 'sticky-forged-tampered-unknown-cookie';
const stickyRestart = 'sticky-affinity-survives-restart-balancer';
const stickyInTurn = 'sticky-request-without-valid-cookie';
const stickyAttributes = 'cookie-carries-attributes-config-gives';
const stickyDefaults = 'cookie-without-attributes-session-path';
const maglevRestart = 'maglev-table-same-key-reaches';
const maglevAdded = 'maglev-table-backend-added-four';
const maglevRemoved = 'maglev-table-backend-removed-gives';
const hashBounded = 'hash-bounded-loads-hot-key';
const stickyShared = 'sticky-two-balancers-sharing-config';
const stickyUnhealthy = 'sticky-health-client-backend-turns-unhealthy';
const stickyDrained = 'sticky-health-client-backend-drained-goes';
const stickyBreaker = 'sticky-health-client-backend-opens-goes';
const routesUnderTraffic = 'member-under-continuous-traffic-routes';
const membership = 'member-under-continuous-traffic-backends';
const limitBurst = 'ratelimit-exactly-capacity-passes-rest';
const limitPerAddress = 'ratelimit-client-address-has-bucket';
const limitForwardedFor = 'ratelimit-forged-x-forwarded-for-neither-dodges';
const limitManyKeys = 'ratelimit-twenty-five-thousand-keys-do';
const limitGlobal = 'ratelimit-global-limit-bucket-client';
const limitKeylessByAddress = 'ratelimit-without-api-key-request';
const limitApiKeys = 'ratelimit-api-keys-have-buckets';
const limitPerRoute = 'ratelimit-route-rate-limit-applies';
const connectionLimit = (protocol: Protocol) => `abuse-client-holding-most-connections-${protocol}`;
const headerTimeout = 'abuse-headers-never-finish-cut';
const sizeLimits = 'abuse-headers-bodies-over-limits';
const requestTimeout = 'abuse-body-never-finishes-cut';
const smuggling = 'hostile-requests-ambiguous-framing-refused';
const malformed = 'hostile-malformed-request-lines-host';
const requestLine = 'hostile-request-line-over-header';
const pathNormalisation = 'hostile-dot-segments-doubled-slashes';
const absoluteForm = 'hostile-absolute-form-target-reaches-backend';
const adminToken = 'admin-token-endpoint-answers-only';
const badReload = 'admin-invalid-new-config-refused';
const lostGet = 'faulty-get-lost-connection-backend';
const lostPost = 'faulty-post-lost-connection-backend';
const spoiledAnswers = 'faulty-answers-backend-spoils-reach';
const nonHttpAnswer = 'faulty-answer-http-gets-client';
const stalledAnswer = 'faulty-backend-stops-sending-middle';
const idleTimeout = 'abuse-idle-connection-closed-after';
const hashKeyless = 'hash-requests-without-key-take';
const stickyRepinned = 'sticky-client-backend-leaves-pool';
const canarySplit = 'action-canary-split-sends-pool';
const rewrites = 'action-rewrite-replaces-matched-prefix';
const redirects = 'action-redirects-answer-own-status';
const headerRules = 'action-route-removes-sets-adds';
const responseTimeout = 'timeout-backend-never-answers-gets';
const allDown = 'degrade-backend-down-clients-get';
const panic = 'degrade-below-panic-threshold-traffic';
const backup = 'degrade-backup-pool-takes-traffic';

/**
 * Each broken balancer and the scenarios its defect breaks, by id: each run must fail every one.
 * One that stands for a correct balancer which chose differently also runs the scenarios of
 * `passes` (tags), every one of which it must pass: the suite must not fail such a choice.
 */
export interface Expectation {
  readonly mustFail: readonly string[];
  readonly passes?: string;
}

const sharedRotation = ['rr-clients-connections-own-share', 'rr-requests-new-connection-share'];

const roundRobinBreaks = [
  ...both(evenSpread),
  ...both(rotation),
  ...sharedRotation,
  ...both(concurrent),
  ...both(stoppedBackend),
  ...both(reconfigured),
];

export const expectations: Readonly<Record<string, Expectation>> = {
  'always-first': {
    mustFail: roundRobinBreaks,
  },
  'seeded-random': { mustFail: roundRobinBreaks },
  'reverse-rotation': { mustFail: [...both(rotation), ...sharedRotation] },
  'rotation-per-connection': { mustFail: sharedRotation },
  'silent-failure': { mustFail: [stoppedBackend('http')] },
  'no-half-close': { mustFail: [halfClose] },
  'tcp-unbounded-relay': { mustFail: [heldBack] },
  'tcp-reset-kept': { mustFail: [tcpResets] },
  'stale-reload': { mustFail: both(reconfigured) },
  // Of the held-back echo's two connections (warm-up, measured), it refuses one.
  'no-repeat': { mustFail: [...both(onlyBackend), heldBack] },
  'lc-never-releases': {
    mustFail: [...both(heldOnIdle), ...both(lcSlow), lcPeaks, lcCountsReturn],
  },
  'lc-leaks-failures': { mustFail: [lcCountsReturn] },
  'bursty-weights': { mustFail: [wrrHeterogeneous] },
  'weights-ignored': {
    mustFail: [...both(wrrCycles), wrrHeterogeneous, wrrZero, wrrRuntime],
  },
  'p2c-same-twice': {
    mustFail: [...both(p2cMostLoaded), p2cIdlePair],
  },
  'p2c-ignores-load': {
    mustFail: [...both(p2cMostLoaded), p2cSlow, p2cIdlePair],
  },
  'load-ignores-weights': {
    mustFail: [...both(lcWeighted), ...both(p2cWeighted)],
  },
  'p2c-ties-to-first': {
    mustFail: [p2cUniform, p2cIdlePair],
  },
  'p2c-second-draw-skewed': { mustFail: [p2cIdlePair] },
  'random-misses-last': { mustFail: [randomUniform] },
  'health-ignored': {
    // The flapping scenario fails too: it waits for health checks that never come.
    mustFail: [
      checkFails,
      checkFlaps,
      checkHangs,
      ...both(checkKilled),
      checkPerPool,
      checkInitial,
      checkFallExact,
      checkRiseExact,
      checkRiseShort,
      checkSlowPasses,
      checkLateFails,
      allDown,
      panic,
      backup,
      hashOutOfService,
      stickyUnhealthy,
    ],
  },
  'fall-ignored': { mustFail: [checkFlaps] },
  'rise-ignored': {
    mustFail: [checkFails, checkRiseShort],
  },
  'check-waits-forever': { mustFail: [checkHangs, checkLateFails] },
  'fall-one-late': { mustFail: [checkFallExact] },
  'rise-one-late': { mustFail: [checkRiseExact] },
  'rise-one-early': { mustFail: [checkRiseShort] },
  'check-timeout-is-interval': { mustFail: [checkSlowPasses, checkLateFails] },
  'starts-healthy': { mustFail: [checkInitial] },
  'health-per-address': { mustFail: [checkPerPool] },
  'never-ejects': { mustFail: [ejectionGrows, ejectionShare] },
  'ejection-not-growing': { mustFail: [ejectionGrows] },
  'ejection-uncapped': { mustFail: [ejectionGrows] },
  'ejects-whole-pool': { mustFail: [ejectionShare] },
  'never-retries': {
    mustFail: [
      ...both(retryStopped),
      retryConnectTimeout,
      retryKilled,
      postRetriedWhenAllowed,
      postRetriedUnsent,
      retryElsewhere,
      backoff,
      budget,
      breakerSeesRetried,
    ],
  },
  'retries-post': { mustFail: [postNotRetried] },
  'retries-same-backend': {
    mustFail: [
      ...both(retryStopped),
      retryConnectTimeout,
      postRetriedWhenAllowed,
      postRetriedUnsent,
      retryElsewhere,
      breakerSeesRetried,
    ],
  },
  'retries-at-once': { mustFail: [backoff] },
  'backoff-without-jitter': { mustFail: [backoff] },
  'retry-storm': { mustFail: [budget] },
  // The breaker's cap scenario relies on the response timeout to end the hanging requests.
  'waits-forever': { mustFail: [responseTimeout, stalledAnswer, breakerCap] },
  'connect-waits-forever': {
    mustFail: [connectTimeout, retryConnectTimeout],
  },
  'all-down-502': { mustFail: [allDown] },
  'no-panic': { mustFail: [panic] },
  'backup-always': { mustFail: [backup] },
  'no-forwarded-for': { mustFail: [forwarded, forwardedChain, forwardedVsConnection] },
  // Caddy's choice for untrusted clients: correct forwarding, but the client's chain is gone.
  'forwarded-for-replaced': { mustFail: [forwardedChain], passes: '@task-06' },
  'connection-strips-forwarding': { mustFail: [forwardedVsConnection] },
  'drops-query-string': { mustFail: [byteExact] },
  'routes-in-order': { mustFail: [precedence('general-first')] },
  'prefix-ignores-segments': { mustFail: [segmentPrefixes] },
  'regex-unanchored': { mustFail: [hostsHeadersQuery] },
  'routes-ignore-method': {
    mustFail: [precedence('general-first'), precedence('specific-first')],
  },
  'forwards-hop-by-hop': { mustFail: [hopByHop] },
  'backend-errors-as-502': { mustFail: [passThrough] },
  'failure-as-500': { mustFail: [badGateway, nonHttpAnswer, lostPost] },
  'ends-broken-answers': { mustFail: [spoiledAnswers] },
  'lost-requests-dropped': { mustFail: [lostGet] },
  'lost-requests-resent-any-method': { mustFail: [lostPost] },
  'admin-without-token': { mustFail: [adminToken] },
  'exits-on-bad-reload': { mustFail: [badReload] },
  'stalled-answers-wait': { mustFail: [stalledAnswer] },
  'no-continue': { mustFail: [expectContinue] },
  'buffers-bodies': {
    mustFail: [streaming('content-length'), streaming('chunked')],
  },
  'no-upstream-keep-alive': { mustFail: [keepAlive] },
  // An upgrade it does not proxy is never switched, limited or not.
  'no-websocket': { mustFail: [webSocket, limitUpgrades, webSocketGreeting] },
  'upgrade-drops-backend-bytes': { mustFail: [webSocketGreeting] },
  // It ignores hashBalanceFactor and hashMethod as well: a modulo has no ring or table to walk.
  'modulo-hash': {
    mustFail: [hashAdded, hashRemoved, hashOutOfService, hashBounded, maglevAdded, maglevRemoved],
  },
  // It ignores "hashMethod" too, and its ring moves on a restart whichever lookup was asked for.
  'hash-seeded-per-start': { mustFail: [hashRestart, maglevRestart] },
  'maglev-by-position': { mustFail: [maglevRemoved] },
  'hash-key-misread': {
    mustFail: (['cookie', 'query-parameter', 'path', 'client-address'] as const).map(hashFrom),
  },
  // Every request is keyless and takes its turn: keys sent again in reverse land elsewhere.
  'hash-key-unread': {
    mustFail: [
      hashRestart,
      ...(['cookie', 'query-parameter', 'path', 'client-address'] as const).map(hashFrom),
      hashAdded,
      hashRemoved,
      hashOutOfService,
      hashBounded,
      maglevRestart,
      maglevAdded,
      maglevRemoved,
    ],
  },
  'sticky-cookie-shows-id': { mustFail: [stickyKeeps, stickyForged] },
  'sticky-cookie-shows-address': { mustFail: [stickyKeeps, stickyForged] },
  'sticky-secret-per-start': { mustFail: [stickyRestart, stickyShared] },
  'sticky-ignores-health': {
    mustFail: [stickyUnhealthy, stickyDrained, stickyBreaker],
  },
  'sticky-cookie-attributes-ignored': { mustFail: [stickyAttributes] },
  'sticky-cookie-defaults-persistent': { mustFail: [stickyDefaults] },
  'sticky-unpinned-random': {
    mustFail: [stickyInTurn],
  },
  'reload-cuts-in-flight': { mustFail: [membership] },
  'drain-ignored': { mustFail: [membership, stickyDrained] },
  'reload-drops-clients': { mustFail: [membership, routesUnderTraffic] },
  'routes-kept-on-reload': { mustFail: [routesUnderTraffic] },
  'limit-never-refills': { mustFail: [limitBurst] },
  'limit-global-per-address': { mustFail: [limitGlobal] },
  'limit-unbounded-keys': { mustFail: [limitManyKeys] },
  'limit-keyless-share': { mustFail: [limitKeylessByAddress] },
  'limit-shared-bucket': {
    mustFail: [limitPerAddress, limitForwardedFor, limitApiKeys, limitKeylessByAddress],
  },
  'limit-trusts-any-xff': { mustFail: [limitForwardedFor] },
  'route-limit-on-listener': { mustFail: [limitPerRoute] },
  'limit-skips-upgrades': { mustFail: [limitUpgrades] },
  'limits-ignored': {
    mustFail: [...both(connectionLimit), headerTimeout, sizeLimits, idleTimeout, requestTimeout],
  },
  'lenient-parser': { mustFail: [smuggling] },
  'host-unchecked': { mustFail: [malformed] },
  'keep-alive-errors-unanswered': { mustFail: [malformed] },
  'long-target-as-431': { mustFail: [requestLine] },
  'raw-path-routing': { mustFail: [pathNormalisation] },
  'absolute-form-as-path': { mustFail: [absoluteForm] },
  'chunked-body-unlimited': { mustFail: [sizeLimits] },
  'hash-keyless-to-one': { mustFail: [hashKeyless] },
  'hash-unbounded': { mustFail: [hashBounded] },
  'sticky-keeps-stale-cookie': {
    mustFail: [stickyRepinned, stickyUnhealthy, stickyDrained, stickyBreaker, stickyForged],
  },
  'split-ignores-weights': { mustFail: [canarySplit] },
  'rewrite-prefix-as-text': { mustFail: [rewrites] },
  'redirects-always-302': { mustFail: [redirects] },
  'header-add-replaces': { mustFail: [headerRules] },
  'breaker-ignored': {
    mustFail: [
      breakerOpens,
      breakerRate,
      breakerCloses,
      breakerTrials,
      breakerAllOpen,
      breakerCap,
      stickyBreaker,
      breakerSeesRetried,
    ],
  },
  'breaker-never-half-opens': {
    mustFail: [breakerOpens, breakerCloses, breakerTrials],
  },
  'half-open-floods': { mustFail: [breakerTrials] },
  'breaker-closes-on-failed-trial': {
    mustFail: [breakerOpens],
  },
  'breaker-not-growing': { mustFail: [breakerOpens] },
  'breaker-ignores-rate': { mustFail: [breakerRate] },
  'breaker-counts-4xx': { mustFail: [breaker4xx] },
  'breaker-sees-final-outcome': { mustFail: [breakerSeesRetried] },
  'no-concurrency-cap': { mustFail: [breakerCap] },
};
