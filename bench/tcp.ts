import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resetPeakMemory, treeMemory } from '../harness/processes/memory.ts';
import type { PortAllocator } from '../harness/processes/ports.ts';
import { ManagedProcess } from '../harness/processes/processes.ts';
import { treeCpuSeconds } from './process-usage.ts';
import { roundOrder } from './rounds.ts';
import { median, targetTable } from './summary.ts';
import { startTargets, type Target } from './targets.ts';

const bulkScript = fileURLToPath(new URL('tcp-bulk.ts', import.meta.url));

/** The TCP scenario: bulk transfer down one connection, the case where a balancer only copies. */
export const tcpScenario = {
  name: 'tcp-bulk',
  what: '1 GiB down one TCP connection per round, 2 backends, round robin',
  bytes: 2 ** 30,
  backends: 2,
} as const;

/** One transfer through one target. */
export interface TcpRound {
  readonly bytes: number;
  readonly seconds: number;
  /** CPU seconds the balancer's processes spent meanwhile; undefined for "direct". */
  readonly cpuSeconds?: number | undefined;
}

/** A target's figures over the rounds: medians, so one noisy round moves nothing. */
export interface TcpSummary {
  readonly target: string;
  /** 10^9 bytes per second. */
  readonly gigabytesPerSecond: number;
  readonly cpuSecondsPerGigabyte?: number | undefined;
  readonly peakRssMegabytes?: number | undefined;
  readonly rounds: readonly number[];
}

export function summariseTcp(target: string, rounds: readonly TcpRound[], peakRssBytes?: number): TcpSummary {
  const rates = rounds.map((round) => round.bytes / round.seconds / 1e9);
  const cpu = rounds.flatMap((round) =>
    round.cpuSeconds === undefined ? [] : [round.cpuSeconds / (round.bytes / 1e9)],
  );
  return {
    target,
    gigabytesPerSecond: median(rates),
    cpuSecondsPerGigabyte: cpu.length > 0 ? median(cpu) : undefined,
    peakRssMegabytes: peakRssBytes === undefined ? undefined : peakRssBytes / 1e6,
    rounds: rates,
  };
}

/** `target`'s throughput over every other's: 0.9 means 90%. */
export function tcpRatios(
  summaries: readonly TcpSummary[],
  target: string,
): { readonly against: string; readonly throughput: number }[] {
  const mine = summaries.find((summary) => summary.target === target);
  if (!mine) return [];
  return summaries
    .filter((summary) => summary.target !== target && summary.gigabytesPerSecond > 0)
    .map((base) => ({ against: base.target, throughput: mine.gigabytesPerSecond / base.gigabytesPerSecond }));
}

export function tcpMarkdownTable(summaries: readonly TcpSummary[]): string {
  return targetTable(
    ['GB/s', 'CPU s / GB', 'peak RSS MB'],
    'GB/s per round',
    summaries.map((s) => [
      s.target,
      s.gigabytesPerSecond.toFixed(2),
      s.cpuSecondsPerGigabyte?.toFixed(2) ?? '-',
      s.peakRssMegabytes?.toFixed(0) ?? '-',
      s.rounds.map((r) => r.toFixed(2)).join(' / '),
    ]),
  );
}

// Even 0.1 GB/s moves a round's 1 GiB in 11 s: a transfer this long has stalled.
const transferTimeoutMs = 60_000;

/** Reads `bytes` from `address` with tcp-bulk's fetch, in a process of its own, within a time bound. */
function fetchThrough(address: string, bytes: number): Promise<{ bytes: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', bulkScript, 'fetch', '--connect', address, '--bytes', String(bytes)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    const timer = setTimeout(() => {
      output += `\nno end within ${transferTimeoutMs} ms`;
      child.kill('SIGKILL');
    }, transferTimeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const result =
        code === 0 ? (JSON.parse(output.trim()) as { bytes: number; seconds: number }) : undefined;
      if (result) resolve(result);
      else reject(new Error(`fetching ${bytes} bytes through ${address} failed (exit ${code}): ${output}`));
    });
  });
}

async function startBulkBackends(
  ports: PortAllocator,
): Promise<{ readonly server: ManagedProcess; readonly address: string }[]> {
  const started: { readonly server: ManagedProcess; readonly address: string }[] = [];
  for (let i = 0; i < tcpScenario.backends; i++) {
    const listen = `127.0.0.1:${await ports.allocate()}`;
    const server = ManagedProcess.start({
      label: `bulk backend ${listen}`,
      command: process.execPath,
      args: ['--import', 'tsx', bulkScript, 'serve', '--listen', listen],
    });
    started.push({ server, address: listen });
    await server.waitForLine(
      (line) => (line === `listening on ${listen}` ? true : undefined),
      'to listen',
      10_000,
    );
  }
  return started;
}

/**
 * Runs the TCP scenario on `targetNames` in interleaved rounds, each moving `bytes` once per
 * target; targets without TCP listeners are listed as unsupported.
 */
export async function runTcpScenario(
  targetNames: readonly string[],
  rounds: number,
  ports: PortAllocator,
  log: (line: string) => void,
): Promise<{ summaries: TcpSummary[]; unsupported: Record<string, string> }> {
  const unsupported = new Map<string, string>();
  const backends = await startBulkBackends(ports);
  let targets: Target[] = [];
  try {
    const addresses = backends.map((backend) => backend.address);
    targets = await startTargets(
      targetNames,
      {
        needs: ['l4', 'round-robin'],
        peersCannot: 'an HTTP proxy library does not proxy TCP',
        config: (listener, admin) => ({
          version: 1,
          admin: { address: admin },
          listeners: [{ name: 'bench', protocol: 'tcp', address: listener, pool: 'main' }],
          pools: {
            main: {
              algorithm: 'round_robin',
              backends: addresses.map((address, i) => ({ id: `b${i + 1}`, address })),
            },
          },
        }),
      },
      addresses,
      ports,
      unsupported,
    );
    // Warm-up, not measured: JIT, socket buffers, page cache.
    for (const target of targets) await fetchThrough(target.address, tcpScenario.bytes / 4);
    for (const target of targets) if (target.pid) await resetPeakMemory(target.pid);
    const results = new Map<string, TcpRound[]>(targets.map((target) => [target.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const target of roundOrder(targets, round)) {
        const cpuBefore = target.pid ? await treeCpuSeconds(target.pid) : undefined;
        const transfer = await fetchThrough(target.address, tcpScenario.bytes);
        const cpuSeconds =
          target.pid && cpuBefore !== undefined ? (await treeCpuSeconds(target.pid)) - cpuBefore : undefined;
        results.get(target.name)?.push({ ...transfer, cpuSeconds });
        log(
          `${tcpScenario.name} round ${round + 1}/${rounds} ${target.name}: ${(transfer.bytes / transfer.seconds / 1e9).toFixed(2)} GB/s`,
        );
      }
    }
    const summaries: TcpSummary[] = [];
    for (const target of targets) {
      const peak = target.pid ? (await treeMemory(target.pid)).peakBytes : undefined;
      summaries.push(summariseTcp(target.name, results.get(target.name) ?? [], peak));
    }
    return { summaries, unsupported: Object.fromEntries(unsupported) };
  } finally {
    await Promise.allSettled(targets.map((target) => target.stop?.()));
    await Promise.allSettled(backends.map((backend) => backend.server.stop()));
  }
}
