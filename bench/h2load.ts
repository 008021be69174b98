// HTTP/2 load from h2load (Debian's nghttp2-client), reported as wrk's runs are: h2load prints
// no percentiles, so they come from its per-request log.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WrkResult } from './wrk.ts';

/** Why h2load cannot run here, or undefined when it can. */
export function h2loadMissing(): string | undefined {
  const probe = spawnSync('h2load', ['--version'], { stdio: 'ignore' });
  return probe.error ? 'h2load is not installed: apt-get install -y nghttp2-client' : undefined;
}

export interface H2Load {
  readonly url: string;
  readonly connections: number;
  /** Streams each connection keeps open at once. */
  readonly streams: number;
  readonly seconds: number;
}

/** Runs h2load (one thread) for `seconds` and returns what it measured in wrk's terms. */
export function runH2load(load: H2Load): Promise<WrkResult> {
  const directory = mkdtempSync(join(tmpdir(), 'lbspec-h2load-'));
  const logFile = join(directory, 'requests.log');
  const args = [
    '-t1',
    `-c${load.connections}`,
    `-m${load.streams}`,
    `-D${load.seconds}`,
    '--log-file',
    logFile,
    load.url,
  ];
  return new Promise<WrkResult>((resolve, reject) => {
    const child = spawn('h2load', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error('h2load is not installed: apt-get install -y nghttp2-client')
          : error,
      ),
    );
    child.once('close', (code) => {
      try {
        if (code !== 0) throw new Error(`h2load exited with ${code}:\n${output}`);
        resolve(h2loadResult(output, readFileSync(logFile, 'utf8')));
      } catch (error) {
        reject(error);
      }
    });
  }).finally(() => rmSync(directory, { recursive: true, force: true }));
}

/**
 * h2load's summary and its log (one line per request: start time in µs since the epoch, status,
 * duration in µs) as a wrk result. Throws naming what is missing.
 */
export function h2loadResult(summary: string, log: string): WrkResult {
  const finished = /finished in ([\d.]+)(m?s)/.exec(summary);
  const requests =
    /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(
      summary,
    );
  const traffic = /traffic: [^(]*\((\d+)\) total/.exec(summary);
  if (!finished || !requests) throw new Error(`h2load printed no summary; its output:\n${summary}`);
  const durationUs = Number(finished[1]) * (finished[2] === 'ms' ? 1e3 : 1e6);
  const durations = log
    .split('\n')
    .map((line) => line.split('\t'))
    .filter((fields) => fields.length >= 3)
    .map((fields) => Number(fields[2]))
    .sort((a, b) => a - b);
  const at = (percentile: number): number =>
    durations[Math.min(durations.length - 1, Math.ceil((percentile / 100) * durations.length) - 1)] ?? 0;
  return {
    durationUs,
    requests: Number(requests[1]),
    bytes: Number(traffic?.[1] ?? 0),
    errors: {
      connect: 0,
      read: Number(requests[3]),
      write: 0,
      status: Number(requests[2]),
      timeout: Number(requests[4]),
    },
    latencyUs: { '50': at(50), '75': at(75), '90': at(90), '99': at(99), '99.9': at(99.9) },
    maxUs: durations.at(-1) ?? 0,
  };
}
