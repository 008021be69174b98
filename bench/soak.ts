// The soak: at least --requests requests (default 1,000,000) through the reference with a mix of
// faults (5xx answers, resets, answers cut short, slow answers), then a quiet spell. It reports the
// balancer's memory, open file descriptors and handles and timers at the start, through the run and
// at the end, then stops it with SIGTERM while requests are in flight, which must all be answered.
// Writes reports/bench-soak.{md,json} and bench-soak-memory.svg; exits 1 if anything leaked.
//   npm run bench:soak                         npm run bench:soak -- --requests 200000
//   npm run bench:soak -- --requests 20000 --balancer fixtures/broken/leaks-timers.ts   (exits 1)

import { mkdirSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { referenceStyleAdapter } from '../harness/adapters/reference.ts';
import { processBackendProvider } from '../harness/backends/process-provider.ts';
import { diagnose, suggestionText } from '../harness/mistakes/diagnose.ts';
import { soakScenario } from '../harness/mistakes/lifetime-mistakes.ts';
import { processTree, treeMemory } from '../harness/processes/memory.ts';
import { PortAllocator } from '../harness/processes/ports.ts';
import { guardAgainstLeaks } from '../harness/processes/processes.ts';
import { renderLineChart } from '../harness/report/svg-chart.ts';
import type { ConfigDocument } from '../harness/spec/config-document.ts';
import { pollUntil } from '../harness/timing/waiting.ts';
import { readCommandLine } from '../scripts/command-line.ts';
import { runWrk, type WrkResult } from './wrk.ts';

const usage = `usage: npm run bench:soak -- [--requests N] [--balancer FILE] [--spell-seconds N] [--out DIR]
  --requests       requests to send at least (default 1000000, at least 1000)
  --balancer       a balancer on the reference's command line (default reference/src/main.ts;
                   fixtures/broken/leaks-timers.ts shows the soak catch a leak)
  --spell-seconds  the quiet spell after the load (default 10)
  --out            where bench-soak.{md,json} and bench-soak-memory.svg go (default reports)`;
const { values: options } = readCommandLine(usage, {
  requests: { type: 'string', default: '1000000' },
  balancer: { type: 'string', default: 'reference/src/main.ts' },
  'spell-seconds': { type: 'string', default: '10' },
  out: { type: 'string', default: 'reports' },
});
const wanted = Number(options.requests);
if (!Number.isInteger(wanted) || wanted < 1000)
  throw new Error(`--requests must be a whole number of at least 1000, got "${options.requests}"`);

const script = fileURLToPath(new URL('soak.lua', import.meta.url));
const connections = 50;
const spellSeconds = Number(options['spell-seconds']);
if (!Number.isInteger(spellSeconds) || spellSeconds < 1)
  throw new Error(`--spell-seconds must be a whole number of at least 1, got "${options['spell-seconds']}"`);
const mib = 1024 * 1024;
/** What may be left over once the balancer is quiet again: a few pooled connections and timers. */
const allowance = { fileDescriptors: 8, handles: 8, timers: 4, residentBytes: 64 * mib };

interface Sample {
  readonly requests: number;
  readonly residentBytes: number;
  readonly fileDescriptors: number;
  readonly resources: Readonly<Record<string, number>>;
}

const ports = new PortAllocator(14);
// Backends, balancers and peers end with the benchmark, also on Ctrl-C or SIGTERM.
guardAgainstLeaks();
const backends = await processBackendProvider.start(
  ['b1', 'b2', 'b3'].map((id) => ({ id, protocol: 'http' as const })),
);
const listener = `127.0.0.1:${await ports.allocate()}`;
const admin = `127.0.0.1:${await ports.allocate()}`;
const config: ConfigDocument = {
  version: 1,
  admin: { address: admin },
  listeners: [{ name: 'soak', protocol: 'http', address: listener, pool: 'app' }],
  pools: {
    app: {
      algorithm: 'least_connections',
      backends: backends.map((backend) => ({ id: backend.id, address: backend.address })),
      retries: { attempts: 1, retryOn: ['connect-failure', 'reset'], baseIntervalMs: 0, maxIntervalMs: 0 },
      timeouts: { connectMs: 1000, responseMs: 2000 },
    },
  },
};
const balancer = await referenceStyleAdapter(options.balancer, options.balancer).start(config);
const pid = balancer.pid as number;

async function fileDescriptors(): Promise<number> {
  let count = 0;
  for (const member of await processTree(pid))
    count += (await readdir(`/proc/${member}/fd`).catch(() => [])).length;
  return count;
}

async function resources(): Promise<Record<string, number>> {
  const answer = await request(`http://${admin}/status`);
  return ((await answer.body.json()) as { resources: Record<string, number> }).resources;
}

async function sample(requests: number): Promise<Sample> {
  return {
    requests,
    residentBytes: (await treeMemory(pid)).residentBytes,
    fileDescriptors: await fileDescriptors(),
    resources: await resources(),
  };
}

// Quiet means the handles and timers have come back down to the start's, with the allowance.
async function quiet(start: Sample, requests: number): Promise<Sample> {
  let last = await sample(requests);
  await pollUntil(
    async () => {
      last = await sample(requests);
      return leftovers(start, last).length === 0 ? true : undefined;
    },
    { what: 'the balancer to let go of what the load held', timeoutMs: 15_000, pollMs: 500 },
  ).catch(() => {});
  return last;
}

function leftovers(start: Sample, end: Sample): string[] {
  const grown: string[] = [];
  const check = (what: string, before: number, after: number, allowed: number) => {
    if (after - before > allowed) grown.push(`${what}: ${before} -> ${after} (allowed +${allowed})`);
  };
  check('open file descriptors', start.fileDescriptors, end.fileDescriptors, allowance.fileDescriptors);
  check('sockets and other handles', handles(start), handles(end), allowance.handles);
  check('timers', start.resources.Timeout ?? 0, end.resources.Timeout ?? 0, allowance.timers);
  return grown;
}

const handles = (s: Sample) =>
  Object.entries(s.resources).reduce((sum, [kind, count]) => (kind === 'Timeout' ? sum : sum + count), 0);

let sent = 0;
const spells: WrkResult[] = [];
const samples: Sample[] = [];
try {
  const start = await sample(0);
  samples.push(start);
  while (sent < wanted) {
    const wrk = await runWrk({ url: `http://${listener}/soak`, connections, seconds: spellSeconds, script });
    spells.push(wrk);
    sent += wrk.requests;
    samples.push(await sample(sent));
    process.stdout.write(
      `soak: ${sent.toLocaleString('en-US')} requests, RSS ${((samples.at(-1)?.residentBytes ?? 0) / mib).toFixed(1)} MiB\n`,
    );
  }
  const end = await quiet(start, sent);
  const grown = leftovers(start, end);
  const likely = diagnose({
    scenario: soakScenario,
    backends: [],
    exchanges: [],
    soak: {
      requests: sent,
      grew: {
        fileDescriptors: end.fileDescriptors - start.fileDescriptors,
        handles: handles(end) - handles(start),
        timers: (end.resources.Timeout ?? 0) - (start.resources.Timeout ?? 0),
      },
    },
  });
  const halfway = samples[Math.floor(samples.length / 2)] as Sample;
  const rssGrowth = end.residentBytes - halfway.residentBytes;
  if (rssGrowth > allowance.residentBytes)
    grown.push(`resident memory from halfway to the end: +${(rssGrowth / mib).toFixed(1)} MiB`);

  // In flight at SIGTERM: each must still be answered before the balancer exits.
  const inFlight = Array.from({ length: 10 }, () =>
    request(`http://${listener}/drain`, { headers: { host: 'app.example', 'x-delay-ms': '300' } }).then(
      async (answer) => {
        await answer.body.dump();
        return answer.statusCode;
      },
      (error: Error) => error.message,
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  await balancer.stop();
  const drained = await Promise.all(inFlight);
  const exit = balancer.unexpectedExit;
  if (drained.some((status) => status !== 200))
    grown.push(`requests in flight at SIGTERM got: ${drained.join(', ')}`);

  const totals = spells.reduce(
    (sum, spell) => ({
      requests: sum.requests + spell.requests,
      errors:
        sum.errors + spell.errors.connect + spell.errors.read + spell.errors.write + spell.errors.timeout,
      statusErrors: sum.statusErrors + spell.errors.status,
      seconds: sum.seconds + spell.durationUs / 1e6,
    }),
    { requests: 0, errors: 0, statusErrors: 0, seconds: 0 },
  );
  const report = {
    requests: totals,
    start,
    end,
    samples,
    drained,
    exit: exit ?? 'exited as told',
    leftovers: grown,
    likelyMistakes: likely,
  };
  mkdirSync(options.out, { recursive: true });
  writeFileSync(`${options.out}/bench-soak.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    `${options.out}/bench-soak-memory.svg`,
    renderLineChart({
      title: 'The reference through the soak: resident memory and open descriptors (last: once quiet)',
      xLabel: 'requests (thousands)',
      yLabel: 'MiB / descriptors',
      series: [
        {
          name: 'resident memory (MiB)',
          points: [...samples, end].map((s) => [s.requests / 1000, s.residentBytes / mib] as const),
        },
        {
          name: 'open descriptors',
          points: [...samples, end].map((s) => [s.requests / 1000, s.fileDescriptors] as const),
        },
      ],
    }),
  );
  const mibOf = (s: Sample) => (s.residentBytes / mib).toFixed(1);
  const text = [
    '# Soak',
    '',
    `${totals.requests.toLocaleString('en-US')} requests in ${totals.seconds.toFixed(0)} s through the reference (least connections over 3 backends, one retry on resets), ${connections} connections. One request in 31 gets a 500, one in 53 a reset, one in 97 an answer cut short, one in 211 a 50 ms delay.`,
    '',
    '| | start | halfway | end (quiet) |',
    '|---|---:|---:|---:|',
    `| resident memory (MiB) | ${mibOf(start)} | ${mibOf(halfway)} | ${mibOf(end)} |`,
    `| open file descriptors | ${start.fileDescriptors} | ${halfway.fileDescriptors} | ${end.fileDescriptors} |`,
    `| sockets and other handles | ${handles(start)} | ${handles(halfway)} | ${handles(end)} |`,
    `| timers | ${start.resources.Timeout ?? 0} | ${halfway.resources.Timeout ?? 0} | ${end.resources.Timeout ?? 0} |`,
    '',
    `Errors wrk saw: ${totals.errors.toLocaleString('en-US')} broken connections (the answers cut short), ${totals.statusErrors.toLocaleString('en-US')} 5xx answers.`,
    `SIGTERM with 10 slow requests in flight: ${drained.join(', ')}; ${exit ?? 'exited as told'}.`,
    '',
    grown.length === 0 ? '**Nothing leaked.**' : `**Leaked:** ${grown.join('; ')}`,
    '',
    ...(likely.length === 0
      ? []
      : ['Likely mistakes:', '', ...likely.map((suggestion) => `- ${suggestionText(suggestion)}`), '']),
    '![memory and descriptors through the soak](bench-soak-memory.svg)',
    '',
  ].join('\n');
  writeFileSync(`${options.out}/bench-soak.md`, text);
  process.stdout.write(
    `\n${text}\nwritten: ${options.out}/bench-soak.md, bench-soak.json, bench-soak-memory.svg\n`,
  );
  process.exitCode = grown.length === 0 ? 0 : 1;
} finally {
  await balancer.stop();
  await Promise.allSettled(backends.map((backend) => backend[Symbol.asyncDispose]()));
}
