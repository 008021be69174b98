import { connect } from 'node:net';
import { Client } from 'undici';
import { timeouts } from '../timing/timeouts.ts';
import { splitHostPort } from './net.ts';
import { skipInterimAnswers } from './raw-answers.ts';
import { getStatus } from './status-only.ts';
import { type RawAnswer, rawHttpRequest, requestBudget, wallClockMs } from './traffic.ts';

/** One request of a rate-limited client, as it saw it. */
export interface LimitedAnswer extends RawAnswer {
  readonly sentAtMs: number;
  readonly durationMs: number;
  /** The listener it was sent to (an instance of a fleet). */
  readonly via: string;
}

/** Which listener the `index`-th request of a run goes to. */
export type Spread = (index: number) => string;

/** Requests sent one after another from one client (its own loopback address), with the same headers. */
export interface LimitedRun {
  readonly from: string;
  readonly path: string;
  readonly headers: readonly [string, string][];
  readonly answers: LimitedAnswer[];
}

/** Sends one request from `from` with `headers`, timing it. */
export async function limitedRequest(
  address: string,
  from: string,
  headers: readonly [string, string][],
  path = '/',
): Promise<LimitedAnswer> {
  const sentAtMs = wallClockMs();
  const answer = await rawHttpRequest(address, {
    path,
    headers: [['Host', 'app.example'], ...headers],
    localAddress: from,
  });
  return { ...answer, sentAtMs, durationMs: wallClockMs() - sentAtMs, via: address };
}

/** `count` requests one after another from `from`, to `address` or spread over several. */
export async function sendLimited(
  address: string | Spread,
  from: string,
  headers: readonly [string, string][],
  count: number,
  path = '/',
): Promise<LimitedRun> {
  const answers: LimitedAnswer[] = [];
  const to = typeof address === 'string' ? () => address : address;
  for (let i = 0; i < count; i++) answers.push(await limitedRequest(to(i), from, headers, path));
  return { from, path, headers, answers };
}

/** What is wrong with a refusal: it must be a 429 with Retry-After (whole seconds), both RateLimit headers and a reason. */
export function refusalProblems(answer: RawAnswer): string[] {
  const problems: string[] = [];
  if (answer.status !== 429) problems.push(`status ${answer.status}, not 429`);
  if (!/^[1-9]\d*$/.test(answer.headers['retry-after'] ?? ''))
    problems.push(`Retry-After ${answer.headers['retry-after'] ?? 'missing'}`);
  if (!answer.headers['ratelimit-policy']) problems.push('no RateLimit-Policy');
  if (!answer.headers.ratelimit) problems.push('no RateLimit');
  if (answer.body.trim() === '') problems.push('no body saying why');
  return problems;
}

/** How a flood of requests, each with an API key of its own, was answered. */
export interface KeyFlood {
  readonly count: number;
  readonly keyBytes: number;
  /** Answers by status ("error" for none). */
  readonly outcomes: ReadonlyMap<string, number>;
}

/**
 * Sends `count` requests, each with a key of its own in `header`, `keyBytes` long, from 8 clients
 * on keep-alive connections. Keys are numbered from `first`, so two floods share no key.
 */
export async function floodWithKeys(
  address: string,
  header: string,
  count: number,
  keyBytes: number,
  first = 0,
): Promise<KeyFlood> {
  const outcomes = new Map<string, number>();
  const padding = 'k'.repeat(keyBytes);
  let next = 0;
  const worker = async (): Promise<void> => {
    const client = new Client(`http://${address}`, requestBudget());
    try {
      for (let i = next++; i < count; i = next++) {
        const id = `${first + i}:`;
        const key = `${id}${padding.slice(id.length)}`;
        let outcome: string;
        try {
          // An empty payload instead of the backend's echo, which would repeat the key: the
          // flood measures the balancer, not the cost of carrying each key back.
          const { status } = await getStatus(client, '/', { [header]: key, 'x-body-bytes': '0' });
          outcome = String(status);
        } catch {
          outcome = 'error';
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    } finally {
      await client.destroy();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { count, keyBytes, outcomes };
}

/**
 * Asks for a WebSocket upgrade from `from` and returns the status of the answer's head (101 when
 * switched), then closes the connection.
 */
export function upgradeStatus(address: string, from: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ ...splitHostPort(address), localAddress: from });
    let head = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`no answer to the upgrade within ${timeouts.requestMs} ms (got ${JSON.stringify(head)})`),
      );
    }, timeouts.requestMs);
    socket.on('connect', () =>
      socket.write(
        'GET /chat HTTP/1.1\r\nHost: app.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    );
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const final = skipInterimAnswers(head).rest;
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(final);
      if (!status || !final.includes('\r\n\r\n')) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(Number(status[1]));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
