// The layer 7 rules of HTTP/1.1 scenarios, for requests that come as streams of one HTTP/2
// connection: rate limits, header rules and timeouts, checked by the same Then steps.
import { type DataTable, Given, When } from '@cucumber/cucumber';
import type { LimitedAnswer } from '../harness/clients/limits.ts';
import { wallClockMs } from '../harness/clients/traffic.ts';
import type { PoolSettings, RateLimitDocument } from '../harness/spec/config-document.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { overOneHttp2Connection } from './support/http2-clients.ts';
import { limited } from './support/limited-runs.ts';
import { recordRawExchange } from './support/raw-exchange.ts';
import { startTlsBalancer } from './support/tls-listener.ts';
import type { LbWorld } from './support/world.ts';

Given(
  'a balancer with an HTTPS listener speaking HTTP\\/2 using {algorithm} over all backends, with this rate limit:',
  async function (this: LbWorld, algorithm: string, text: string) {
    const rateLimit = JSON.parse(text) as RateLimitDocument;
    await startTlsBalancer(this, algorithm, {}, { http2: true, rateLimit });
  },
);

Given(
  'a balancer with an HTTPS listener speaking HTTP\\/2 using {algorithm} over all backends, whose pool has:',
  async function (this: LbWorld, algorithm: string, text: string) {
    await startTlsBalancer(this, algorithm, {}, { http2: true }, JSON.parse(text) as PoolSettings);
  },
);

When(
  'the client at {word} sends {int} requests one after another over one HTTP\\/2 connection',
  async function (this: LbWorld, from: string, count: number) {
    const answers = await overOneHttp2Connection(
      this,
      async (connection) => {
        const sent: LimitedAnswer[] = [];
        for (let i = 0; i < count; i++) {
          const sentAtMs = wallClockMs();
          const answer = await connection.request('/', {}, timeouts.requestMs);
          sent.push({ ...answer, sentAtMs, durationMs: wallClockMs() - sentAtMs, via: this.listenerAddress });
        }
        return sent;
      },
      from,
    );
    limited(this).runs.push({ from, path: '/', headers: [], answers });
  },
);

// Host becomes :authority, as an HTTP/2 client sends it; other names go lowercased, as HTTP/2 has them.
When(
  'a client sends a request over HTTP\\/2 with these headers:',
  async function (this: LbWorld, table: DataTable) {
    const fields = table.raw().map(([name = '', value = '']) => {
      const lowered = name.toLowerCase();
      return [lowered === 'host' ? ':authority' : lowered, value] as [string, string];
    });
    const answer = await overOneHttp2Connection(this, (connection) =>
      connection.request('/', Object.fromEntries(fields), timeouts.requestMs),
    );
    recordRawExchange(this, fields, '/', answer);
  },
);
