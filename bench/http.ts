// HTTP throughput and latency of the reference against nginx, HAProxy and a direct connection, on
// the same backends, with the same load generator, in interleaved rounds (A B C, B C A, ...) so the
// machine's drift falls on every target alike; then TCP throughput (bench/tcp.ts) the same way.
// Writes reports/bench.{json,md} and one latency chart per HTTP scenario
// (reports/bench-latency-<scenario>.svg).
//   npm run bench                                  every scenario, 3 rounds of 5 s
//   npm run bench -- --rounds 5 --seconds 10 --only small-50,routes-1000 --targets reference,nginx
//   npm run bench -- --only tcp-bulk --targets direct,reference,haproxy
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { processBackendProvider } from '../harness/backends/process-provider.ts';
import type { StartedBackend } from '../harness/backends/provider.ts';
import { resetPeakMemory, treeMemory } from '../harness/processes/memory.ts';
import { PortAllocator } from '../harness/processes/ports.ts';
import { guardAgainstLeaks } from '../harness/processes/processes.ts';
import { RedisServer, redisMissing } from '../harness/processes/redis-server.ts';
import type { ListenerDocument } from '../harness/spec/config-document.ts';
import { testPki } from '../harness/tls/test-pki.ts';
import { namedIn, readCommandLine } from '../scripts/command-line.ts';
import { bound, checkGoals, goalsLine } from './goals.ts';
import { h2loadMissing, runH2load } from './h2load.ts';
import { treeCpuSeconds } from './process-usage.ts';
import { maxWarmSeconds, roundOrder, warmRequestsPerBackend } from './rounds.ts';
import { type BenchScenario, benchConfig, benchScenarios } from './scenarios.ts';
import {
  latencyChart,
  markdownTable,
  type RoundResult,
  ratios,
  summarise,
  type TargetSummary,
} from './summary.ts';
import { startTargets, type Target, type TargetNeeds } from './targets.ts';
import { runTcpScenario, tcpMarkdownTable, tcpRatios, tcpScenario } from './tcp.ts';
import { runWrk } from './wrk.ts';

const usage = `usage: npm run bench -- [--rounds N] [--seconds N] [--only SCENARIO,...] [--targets TARGET,...] [--out DIR]
  --rounds    interleaved rounds per scenario (default 3)
  --seconds   seconds of load per round (default 5)
  --only      scenarios to run (default: all of ${[...benchScenarios.map((scenario) => scenario.name), tcpScenario.name].join(', ')})
  --targets   what to measure (default direct,reference,nginx,haproxy,http-proxy)
  --out       where bench.json, bench.md and the latency charts go (default reports)`;
const { values: options } = readCommandLine(usage, {
  rounds: { type: 'string', default: '3' },
  seconds: { type: 'string', default: '5' },
  only: { type: 'string' },
  targets: { type: 'string', default: 'direct,reference,nginx,haproxy,http-proxy' },
  out: { type: 'string', default: 'reports' },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a whole number of at least 1, got "${text}"`);
  return value;
}

const rounds = positive('rounds', options.rounds);
const seconds = positive('seconds', options.seconds);
const targetNames = options.targets.split(',').map((name) => name.trim());
const known = [...benchScenarios.map((scenario) => scenario.name), tcpScenario.name];
const chosen =
  options.only === undefined ? undefined : namedIn(known, (name) => name, options.only, 'scenarios', usage);
const scenarios = benchScenarios.filter((scenario) => !chosen || chosen.includes(scenario.name));
const runTcp = !chosen || chosen.includes(tcpScenario.name);

// Backends, balancers and peers end with the benchmark, also on Ctrl-C or SIGTERM.
guardAgainstLeaks();
const ports = new PortAllocator(10);

/** The HTTP scenario's targets: proxy libraries and a direct connection only where they compare. */
function httpNeeds(
  scenario: BenchScenario,
  backends: readonly string[],
  storeAddress?: string,
  tls?: ListenerDocument['tls'],
): TargetNeeds {
  return {
    needs: scenario.needs,
    peersCannot: scenario.tls
      ? 'the proxy library is measured without TLS'
      : scenario.listener || scenario.pool
        ? 'a proxy library has no routes, health checks or limits'
        : undefined,
    directCannot: scenario.tls
      ? 'the backends speak plain HTTP'
      : scenario.listener
        ? 'a direct connection has no routes or limits'
        : undefined,
    config: (listener, admin) => benchConfig(scenario, backends, listener, admin, storeAddress, tls),
  };
}

/** A listener's TLS for the bench: a certificate for 127.0.0.1 from the run's CA (wrk does not verify). */
async function benchTls(): Promise<ListenerDocument['tls']> {
  const { certificatePem, keyPem } = await (await testPki()).leaf(['localhost', '127.0.0.1']);
  return { certificate: certificatePem, key: keyPem };
}

/**
 * Puts load through one target until the backends have served warmRequestsPerBackend requests
 * each on average (or maxWarmSeconds have passed), so that no target's measured rounds pay for
 * cold backends. A balancer is preferred to a direct connection, which reaches one backend only.
 */
async function warmBackends(
  backends: readonly StartedBackend[],
  targets: readonly Target[],
  load: (target: Target, seconds: number) => Promise<unknown>,
): Promise<void> {
  const through = targets.find((target) => target.name !== 'direct') ?? targets[0];
  if (!through) return;
  const wanted = warmRequestsPerBackend * backends.length;
  for (let second = 0; second < maxWarmSeconds; second++) {
    await load(through, 1);
    const served = await Promise.all(backends.map(async (backend) => (await backend.stats()).requests));
    if (served.reduce((sum, requests) => sum + requests, 0) >= wanted) break;
  }
  await Promise.all(backends.map((backend) => backend.resetStats()));
}

async function runScenario(scenario: BenchScenario) {
  // Without a Redis here the scenario is reported not run on every target; the others still run.
  const storeMissing = scenario.sharedStore ? redisMissing() : undefined;
  const loaderMissing = scenario.http2 ? h2loadMissing() : undefined;
  if (storeMissing !== undefined || loaderMissing !== undefined) {
    const reason = loaderMissing ?? `no Redis to keep the limit in: ${storeMissing}`;
    process.stderr.write(`${scenario.name}: ${reason}\n`);
    const unsupported = Object.fromEntries(targetNames.map((name) => [name, reason]));
    return { scenario, summaries: [], unsupported, roundSeconds: seconds };
  }
  const backends = await processBackendProvider.start(
    Array.from({ length: scenario.backends }, (_, i) => ({ id: `b${i + 1}`, protocol: 'http' as const })),
  );
  const unsupported = new Map<string, string>();
  let targets: Target[] = [];
  const store = scenario.sharedStore ? await RedisServer.start(await ports.allocate()) : undefined;
  try {
    const addresses = backends.map((backend) => backend.address);
    const needs = httpNeeds(scenario, addresses, store?.address, scenario.tls ? await benchTls() : undefined);
    targets = await startTargets(targetNames, needs, addresses, ports, unsupported);
    const url = (target: Target) => `${scenario.tls ? 'https' : 'http'}://${target.address}${scenario.path}`;
    const load = (target: Target, time: number) =>
      scenario.http2
        ? runH2load({ url: url(target), connections: scenario.connections, streams: 1, seconds: time })
        : runWrk({
            url: url(target),
            connections: scenario.connections,
            seconds: time,
            headers: scenario.headers,
          });
    await warmBackends(backends, targets, load);
    // Then one second each: the target's own JIT, connection pools and page cache, not measured.
    for (const target of targets) await load(target, 1);
    const roundSeconds = Math.max(seconds, scenario.minimumSeconds ?? 0);
    for (const target of targets) if (target.pid) await resetPeakMemory(target.pid);
    const results = new Map<string, RoundResult[]>(targets.map((target) => [target.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const target of roundOrder(targets, round)) {
        const cpuBefore = target.pid ? await treeCpuSeconds(target.pid) : undefined;
        const wrk = await load(target, roundSeconds);
        const cpuSeconds =
          target.pid && cpuBefore !== undefined ? (await treeCpuSeconds(target.pid)) - cpuBefore : undefined;
        results.get(target.name)?.push({ wrk, cpuSeconds });
        process.stdout.write(
          `${scenario.name} round ${round + 1}/${rounds} ${target.name}: ${(wrk.requests / (wrk.durationUs / 1e6)).toFixed(0)} req/s, p99 ${(wrk.latencyUs['99'] ?? 0) / 1e3} ms\n`,
        );
      }
    }
    const summaries: TargetSummary[] = [];
    for (const target of targets) {
      const peak = target.pid ? (await treeMemory(target.pid)).peakBytes : undefined;
      summaries.push(summarise(target.name, results.get(target.name) ?? [], peak));
    }
    return { scenario, summaries, unsupported: Object.fromEntries(unsupported), roundSeconds };
  } finally {
    await Promise.allSettled(targets.map((target) => target.stop?.()));
    await Promise.allSettled(backends.map((backend) => backend[Symbol.asyncDispose]()));
    await store?.[Symbol.asyncDispose]();
  }
}

const outcomes = [];
for (const scenario of scenarios) outcomes.push(await runScenario(scenario));
const tcp = runTcp
  ? await runTcpScenario(targetNames, rounds, ports, (line) => process.stdout.write(`${line}\n`))
  : undefined;

const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
const settings = { rounds, seconds, loadGenerator: 'wrk -t1 (HTTP/2: h2load -t1)', targets: targetNames };
mkdirSync(options.out, { recursive: true });
writeFileSync(
  `${options.out}/bench.json`,
  `${JSON.stringify(
    {
      machine,
      settings,
      scenarios: outcomes.map(({ scenario, summaries, unsupported, roundSeconds }) => ({
        name: scenario.name,
        what: scenario.what,
        roundSeconds,
        summaries,
        unsupported,
        referenceAgainst: ratios(summaries, 'reference'),
        goals: checkGoals(summaries).map(({ goal, ratio, met }) => ({
          what: goal.what,
          against: goal.against,
          goal: bound(goal),
          ratio,
          met,
        })),
      })),
      tcp: tcp && { ...tcpScenario, ...tcp, referenceAgainst: tcpRatios(tcp.summaries, 'reference') },
    },
    null,
    2,
  )}\n`,
);
const sections = outcomes.map(({ scenario, summaries, unsupported, roundSeconds }) => {
  const skipped = Object.entries(unsupported).map(([target, reason]) => `- ${target}: not run (${reason})`);
  // A scenario no target could run has nothing to tabulate or draw.
  if (summaries.length === 0) return [`## ${scenario.name}: ${scenario.what}`, '', ...skipped, ''].join('\n');
  const chart = `bench-latency-${scenario.name}.svg`;
  writeFileSync(`${options.out}/${chart}`, latencyChart(scenario.what, summaries));
  const against = ratios(summaries, 'reference')
    .map((r) => `${(100 * r.throughput).toFixed(0)}% of ${r.against}'s req/s, p99 ${r.p99.toFixed(2)}x`)
    .join('; ');
  const goals = goalsLine(summaries);
  return [
    `## ${scenario.name}: ${scenario.what}`,
    '',
    ...(roundSeconds === seconds
      ? []
      : [`Rounds of ${roundSeconds} s (${scenario.minimumSeconds} s at least).`, '']),
    markdownTable(summaries),
    '',
    against ? `Reference: ${against}.` : '',
    goals ? `Goals: ${goals}.` : '',
    ...skipped,
    '',
    `![latency by percentile](${chart})`,
    '',
  ].join('\n');
});
function tcpSection({ summaries, unsupported }: NonNullable<typeof tcp>): string {
  const against = tcpRatios(summaries, 'reference')
    .map((r) => `${(100 * r.throughput).toFixed(0)}% of ${r.against}'s throughput`)
    .join('; ');
  const skipped = Object.entries(unsupported).map(([target, reason]) => `- ${target}: not run (${reason})`);
  return [
    `## ${tcpScenario.name}: ${tcpScenario.what}`,
    '',
    `Each round fetches ${tcpScenario.bytes / 2 ** 30} GiB (bench/tcp-bulk.ts at both ends); ${rounds} interleaved rounds.`,
    '',
    tcpMarkdownTable(summaries),
    '',
    against ? `Reference: ${against}.` : '',
    ...skipped,
    '',
  ].join('\n');
}

const text = [
  `# Benchmark`,
  '',
  `${machine.cpus} CPUs (${machine.cpu}), node ${machine.node}; ${settings.loadGenerator}, ${rounds} interleaved rounds of ${seconds} s per target, medians shown; everything on loopback.`,
  '',
  ...sections,
  ...(tcp ? [tcpSection(tcp)] : []),
  // The soak is a run of its own (npm run bench:soak); its report sits beside this one.
  existsSync(`${options.out}/bench-soak.md`)
    ? 'Soak (1,000,000 requests with faults): [bench-soak.md](bench-soak.md).'
    : 'Soak: `npm run bench:soak` writes bench-soak.md beside this report.',
  '',
].join('\n');
writeFileSync(`${options.out}/bench.md`, text);
process.stdout.write(`\n${text}\nwritten: ${options.out}/bench.md, bench.json, bench-latency-*.svg\n`);
