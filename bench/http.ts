// HTTP throughput and latency of the reference against nginx, HAProxy and a direct connection, on
// the same backends, with the same load generator, in interleaved rounds (A B C A B C ...) so the
// machine's drift falls on every target alike. Writes reports/bench.{json,md} and one latency
// chart per scenario (reports/bench-latency-<scenario>.svg).
//   npm run bench                                  every scenario, 3 rounds of 5 s
//   npm run bench -- --rounds 5 --seconds 10 --only small-50,routes-1000 --targets reference,nginx
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { selectAdapter } from '../steps/support/adapters/select.ts';
import { processBackendProvider } from '../steps/support/backends/process-provider.ts';
import type { StartedBackend } from '../steps/support/backends/provider.ts';
import { resetPeakMemory, treeMemory } from '../steps/support/memory.ts';
import { PortAllocator } from '../steps/support/ports.ts';
import { ManagedProcess } from '../steps/support/processes.ts';
import { treeCpuSeconds } from './process-usage.ts';
import { type BenchScenario, benchConfig, benchScenarios } from './scenarios.ts';
import {
  latencyChart,
  markdownTable,
  type RoundResult,
  ratios,
  summarise,
  type TargetSummary,
} from './summary.ts';
import { runWrk } from './wrk.ts';

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    only: { type: 'string' },
    targets: { type: 'string', default: 'direct,reference,nginx,haproxy,http-proxy' },
    out: { type: 'string', default: 'reports' },
  },
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
const scenarios = options.only
  ? options.only.split(',').map((name) => {
      const found = benchScenarios.find((scenario) => scenario.name === name.trim());
      if (!found)
        throw new Error(
          `--only: no scenario "${name}"; known: ${benchScenarios.map((s) => s.name).join(', ')}`,
        );
      return found;
    })
  : benchScenarios;

const ports = new PortAllocator(10);

interface Target {
  readonly name: string;
  readonly url: string;
  readonly pid?: number | undefined;
  readonly stop?: () => Promise<unknown>;
}

/** Node proxy libraries run as peers (bench/peers/): round robin, no routes, no limits. */
const peers: Readonly<Record<string, string>> = { 'http-proxy': 'bench/peers/http-proxy.ts' };

async function startPeer(
  name: string,
  script: string,
  scenario: BenchScenario,
  backends: readonly StartedBackend[],
): Promise<Target> {
  const listener = `127.0.0.1:${await ports.allocate()}`;
  const peer = ManagedProcess.start({
    label: `peer ${name}`,
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      script,
      '--listen',
      listener,
      '--backends',
      backends.map((b) => b.address).join(','),
    ],
  });
  await peer.waitForLine(
    (line) => (line.startsWith('listening') ? true : undefined),
    `${name} to listen`,
    10_000,
  );
  return { name, url: `http://${listener}${scenario.path}`, pid: peer.pid, stop: () => peer.stop() };
}

/** Starts every target of `scenario`; those lacking a needed capability are reported, not run. */
async function startTargets(
  scenario: BenchScenario,
  backends: readonly StartedBackend[],
  unsupported: Map<string, string>,
): Promise<Target[]> {
  const targets: Target[] = [];
  for (const name of targetNames) {
    const peer = peers[name];
    if (peer !== undefined) {
      if (scenario.listener || scenario.pool)
        unsupported.set(name, 'a proxy library has no routes, health checks or limits');
      else targets.push(await startPeer(name, peer, scenario, backends));
      continue;
    }
    if (name === 'direct') {
      if (scenario.listener) {
        unsupported.set(name, 'a direct connection has no routes or limits');
        continue;
      }
      targets.push({ name, url: `http://${backends[0]?.address}${scenario.path}` });
      continue;
    }
    const adapter = selectAdapter(name, { ...process.env, LBSPEC_ADAPTER: name });
    const { capabilities } = await adapter.describe();
    const missing = scenario.needs.filter((need) => !capabilities.supported.includes(need));
    if (missing.length > 0) {
      unsupported.set(name, missing.map((need) => `${need}: ${capabilities.reasons[need]}`).join('; '));
      continue;
    }
    const listener = `127.0.0.1:${await ports.allocate()}`;
    const admin = `127.0.0.1:${await ports.allocate()}`;
    const config = benchConfig(
      scenario,
      backends.map((backend) => backend.address),
      listener,
      admin,
    );
    const balancer = await adapter.start(config);
    targets.push({
      name,
      url: `http://${listener}${scenario.path}`,
      pid: balancer.pid,
      stop: () => balancer.stop(),
    });
  }
  return targets;
}

async function runScenario(scenario: BenchScenario) {
  const backends = await processBackendProvider.start(
    Array.from({ length: scenario.backends }, (_, i) => ({ id: `b${i + 1}`, protocol: 'http' as const })),
  );
  const unsupported = new Map<string, string>();
  let targets: Target[] = [];
  try {
    targets = await startTargets(scenario, backends, unsupported);
    const load = (target: Target, time: number) =>
      runWrk({
        url: target.url,
        connections: scenario.connections,
        seconds: time,
        headers: scenario.headers,
      });
    // One warm-up second each: JIT, connection pools and page cache, not measured.
    for (const target of targets) await load(target, 1);
    for (const target of targets) if (target.pid) await resetPeakMemory(target.pid);
    const results = new Map<string, RoundResult[]>(targets.map((target) => [target.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        const cpuBefore = target.pid ? await treeCpuSeconds(target.pid) : undefined;
        const wrk = await load(target, seconds);
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
    return { scenario, summaries, unsupported: Object.fromEntries(unsupported) };
  } finally {
    await Promise.allSettled(targets.map((target) => target.stop?.()));
    await Promise.allSettled(backends.map((backend) => backend[Symbol.asyncDispose]()));
  }
}

const outcomes = [];
for (const scenario of scenarios) outcomes.push(await runScenario(scenario));

const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
const settings = { rounds, seconds, loadGenerator: 'wrk -t1', targets: targetNames };
mkdirSync(options.out, { recursive: true });
writeFileSync(
  `${options.out}/bench.json`,
  `${JSON.stringify(
    {
      machine,
      settings,
      scenarios: outcomes.map(({ scenario, summaries, unsupported }) => ({
        name: scenario.name,
        what: scenario.what,
        summaries,
        unsupported,
        referenceAgainst: ratios(summaries, 'reference'),
      })),
    },
    null,
    2,
  )}\n`,
);
const sections = outcomes.map(({ scenario, summaries, unsupported }) => {
  const chart = `bench-latency-${scenario.name}.svg`;
  writeFileSync(`${options.out}/${chart}`, latencyChart(scenario.what, summaries));
  const against = ratios(summaries, 'reference')
    .map((r) => `${(100 * r.throughput).toFixed(0)}% of ${r.against}'s req/s, p99 ${r.p99.toFixed(2)}x`)
    .join('; ');
  const skipped = Object.entries(unsupported).map(([target, reason]) => `- ${target}: not run (${reason})`);
  return [
    `## ${scenario.name}: ${scenario.what}`,
    '',
    markdownTable(summaries),
    '',
    against ? `Reference: ${against}.` : '',
    ...skipped,
    '',
    `![latency by percentile](${chart})`,
    '',
  ].join('\n');
});
const text = [
  `# HTTP benchmark`,
  '',
  `${machine.cpus} CPUs (${machine.cpu}), node ${machine.node}; ${settings.loadGenerator}, ${rounds} interleaved rounds of ${seconds} s per target, medians shown; everything on loopback.`,
  '',
  ...sections,
  // The soak is a run of its own (npm run bench:soak); its report sits beside this one.
  existsSync(`${options.out}/bench-soak.md`)
    ? 'Soak (1,000,000 requests with faults): [bench-soak.md](bench-soak.md).'
    : 'Soak: `npm run bench:soak` writes bench-soak.md beside this report.',
  '',
].join('\n');
writeFileSync(`${options.out}/bench.md`, text);
process.stdout.write(`\n${text}\nwritten: ${options.out}/bench.md, bench.json, bench-latency-*.svg\n`);
