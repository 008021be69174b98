/**
 * Runs the whole suite as a user would, through the command adapter:
 * - against each deliberately broken balancer in fixtures/broken/, running the scenarios its defect
 *   breaks (by id) and requiring every one to fail: a scenario a broken balancer passes is a check
 *   that cannot fail; every scenario must be broken by one of them;
 * - against the reference declaring fewer capabilities, requiring the rest to be reported
 *   unsupported, never passed or failed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readScenarios } from '../harness/spec/scenario-catalogue.ts';
import { scenarioId } from '../harness/spec/scenario-id.ts';
import { commandBalancer, runSuite } from './run-suite.ts';

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
interface Expectation {
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

const expectations: Record<string, Expectation> = {
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

const idOf = (scenario: { id?: string; name: string }): string => {
  assert.ok(scenario.id, `scenario "${scenario.name}" has no @id: tag`);
  return scenario.id;
};

// Four runs at a time on two cores: a run that must fail spends most of its time waiting for a
// deadline its broken balancer misses, not computing.
describe('the suite catches every broken balancer', { concurrency: 4 }, () => {
  for (const [balancer, { mustFail, passes }] of Object.entries(expectations)) {
    test(`${balancer} fails every scenario it breaks`, async () => {
      // Only those scenarios run (and those it must pass): the reference and the small balancer
      // show that the others pass.
      const broken = mustFail.map((id) => `@id:${id}`).join(' or ');
      const { report, exitCode, output } = await runSuite(
        {
          ...commandBalancer(`fixtures/broken/${balancer}.ts`),
          LBSPEC_CAPABILITIES: 'all',
          LBSPEC_RELOAD: 'sighup',
          LBSPEC_NAME: balancer,
        },
        ['--tags', passes ? `${broken} or (${passes})` : broken],
      );
      assert.ok(report, `no report from the run against ${balancer}\n${output}`);
      const outcomes = report.scenarios.map((s) => `${idOf(s)} ${s.outcome}`).sort();
      const expected = report.scenarios.map(
        (s) => `${idOf(s)} ${mustFail.includes(idOf(s)) ? 'failed' : 'passed'}`,
      );
      assert.deepEqual(
        outcomes,
        expected.sort(),
        `${balancer} must fail every scenario it breaks${passes ? ` and pass the others of ${passes}` : ''}\n${output.slice(-4000)}`,
      );
      assert.deepEqual(
        mustFail.filter((id) => !report.scenarios.some((s) => s.id === id)),
        [],
        `scenarios ${balancer} breaks did not run`,
      );
      assert.equal(exitCode, 1, `cucumber must exit 1 when scenarios fail, exited ${exitCode}`);
      assert.equal(report.verdict, 'fail');
    });
  }
});

const catalogue = readScenarios(join(fileURLToPath(new URL('..', import.meta.url)), 'features'));

test('every scenario named here exists', () => {
  const known = new Set(catalogue.map((entry) => scenarioId(entry.tags)));
  const named = Object.values(expectations).flatMap(({ mustFail }) => mustFail);
  assert.deepEqual(
    named.filter((id) => !known.has(id)),
    [],
  );
});

test('every scenario is failed by at least one broken balancer', () => {
  const caught = new Set(Object.values(expectations).flatMap((expectation) => expectation.mustFail));
  const uncaught = catalogue
    .map((entry) => scenarioId(entry.tags) ?? entry.name)
    .filter((id) => !caught.has(id));
  assert.deepEqual(
    uncaught,
    [],
    'scenarios no broken balancer fails: add a broken balancer that breaks each',
  );
});

test('capabilities a balancer does not declare are reported unsupported, with the reason, and pass the run', async () => {
  // The round-robin task only: the file declares l7 and round-robin, and gives l4 a reason of its own.
  const { report, exitCode, output } = await runSuite(
    {
      ...commandBalancer('reference/src/main.ts'),
      LBSPEC_CAPABILITIES_FILE: 'fixtures/capabilities/http-only.json',
      LBSPEC_NAME: 'http-only',
      LBSPEC_VERSION: '0.0.1',
    },
    ['--tags', '@task-01'],
  );
  assert.ok(report, output);
  const tcpScenarios = report.scenarios.filter((s) => s.tags.includes('@l4'));
  const httpScenarios = report.scenarios.filter((s) => !s.tags.includes('@l4'));
  assert.ok(tcpScenarios.length > 0 && httpScenarios.length > 0);
  for (const scenario of tcpScenarios) {
    assert.equal(scenario.outcome, 'unsupported', scenario.name);
    assert.equal(scenario.reason, 'http-only lacks l4: this build speaks HTTP only');
  }
  for (const scenario of httpScenarios)
    assert.equal(scenario.outcome, 'passed', `${scenario.name}\n${output.slice(-3000)}`);
  assert.deepEqual(report.totals, {
    passed: httpScenarios.length,
    failed: 0,
    unsupported: tcpScenarios.length,
    skipped: 0,
  });
  assert.equal(`${report.adapter?.name} ${report.adapter?.version}`, 'http-only 0.0.1');
  assert.equal(report.verdict, 'pass');
  assert.equal(exitCode, 0);
});

test('a scenario whose config needs a capability its tags leave out fails as a suite error', async () => {
  // The timeouts feature balances over two backends round robin; without @round-robin a balancer
  // lacking it would be failed instead of reported unsupported, so the run must fail and say why.
  const directory = await mkdtemp(join(tmpdir(), 'lbspec-untagged-'));
  try {
    const feature = await readFile('features/timeouts.feature', 'utf8');
    const [firstLine = '', ...rest] = feature.split('\n');
    assert.match(firstLine, /@round-robin/, 'the feature this test edits no longer declares @round-robin');
    const untagged = join(directory, 'untagged.feature');
    await writeFile(untagged, [firstLine.replace(' @round-robin', ''), ...rest].join('\n'));
    const { report, exitCode, output } = await runSuite(
      { ...commandBalancer('reference/src/main.ts'), LBSPEC_CAPABILITIES: 'all', LBSPEC_RELOAD: 'sighup' },
      [untagged, 'features/timeouts.feature', '--name', 'never answers'],
    );
    assert.ok(report, output);
    // The original runs beside its copy: only the copy lacks the tag.
    const copy = report.scenarios.find((scenario) => scenario.uri.endsWith('untagged.feature'));
    const original = report.scenarios.find((scenario) => scenario.uri === 'features/timeouts.feature');
    assert.equal(original?.outcome, 'passed', output);
    assert.equal(copy?.outcome, 'failed', output);
    assert.match(copy?.reason ?? '', /suite error: .*@round-robin \(for \/pools\/main\/algorithm\)/);
    assert.equal(exitCode, 1);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test('a run that checks nothing exits non-zero and says why: no scenario selected, or none supported', async () => {
  const none = await runSuite({ ...commandBalancer('reference/src/main.ts'), LBSPEC_CAPABILITIES: 'all' }, [
    '--tags',
    '@no-such-tag',
  ]);
  assert.equal(none.exitCode, 1, none.output);
  assert.match(none.output, /no scenario matched the tags/);
  const unsupported = await runSuite(
    { ...commandBalancer('reference/src/main.ts'), LBSPEC_CAPABILITIES: 'l7,round-robin' },
    ['--tags', '@l4 and @round-robin'],
  );
  assert.equal(
    unsupported.report?.totals.unsupported,
    unsupported.report?.scenarios.length,
    unsupported.output,
  );
  assert.equal(unsupported.exitCode, 1, unsupported.output);
  assert.match(unsupported.output, /every selected scenario needs a capability/);
});
