import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What one wrk run measured. Latencies in microseconds. */
export interface WrkResult {
  readonly durationUs: number;
  readonly requests: number;
  readonly bytes: number;
  readonly errors: {
    readonly connect: number;
    readonly read: number;
    readonly write: number;
    readonly status: number;
    readonly timeout: number;
  };
  /** Latency at each percentile, keyed by the percentile as wrk prints it ("50", "99.9"). */
  readonly latencyUs: Readonly<Record<string, number>>;
  readonly maxUs: number;
}

export interface WrkLoad {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A wrk Lua script of one's own; it must print the report line (dofile wrk-report.lua). */
  readonly script?: string;
}

const reportScript = fileURLToPath(new URL('wrk-report.lua', import.meta.url));
const marker = 'LBSPEC-WRK ';

/** The report line bench/wrk-report.lua prints, parsed; throws naming what is missing. */
export function parseWrkReport(output: string): WrkResult {
  const line = output.split('\n').find((candidate) => candidate.startsWith(marker));
  if (!line) throw new Error(`wrk printed no report line ("${marker.trim()} {...}"); its output:\n${output}`);
  const result = JSON.parse(line.slice(marker.length)) as WrkResult;
  if (!(result.requests >= 0 && result.durationUs > 0 && result.latencyUs['99'] !== undefined)) {
    throw new Error(`wrk's report line is incomplete: ${line}`);
  }
  return result;
}

/** Runs wrk (one thread: the machine's other cores serve) and returns its report. */
export function runWrk(load: WrkLoad): Promise<WrkResult> {
  const args = [
    '-t1',
    `-c${load.connections}`,
    `-d${load.seconds}s`,
    '--timeout',
    '5s',
    '-s',
    load.script ?? reportScript,
  ];
  for (const [name, value] of Object.entries(load.headers ?? {})) args.push('-H', `${name}: ${value}`);
  args.push(load.url);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error('wrk is not installed: apt-get install -y wrk') : error),
    );
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`wrk exited with ${code}:\n${output}`));
      else {
        try {
          resolve(parseWrkReport(output));
        } catch (error) {
          reject(error);
        }
      }
    });
  });
}
