import { Given, Then, When } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { overOneHttp2Connection } from './support/http2-clients.ts';
import { backendEcho, recordRawExchange } from './support/raw-exchange.ts';
import { listenerTls, startTlsBalancer } from './support/tls-listener.ts';
import type { LbWorld } from './support/world.ts';

Given(
  'a balancer with an HTTPS listener speaking HTTP\\/2 using {algorithm} over all backends',
  async function (this: LbWorld, algorithm: string) {
    await startTlsBalancer(this, algorithm, {}, { http2: true });
  },
);

Given(
  'a balancer with an HTTP listener speaking HTTP\\/2 using {algorithm} over all backends',
  async function (this: LbWorld, algorithm: string) {
    const members = [...this.backends.keys()].map((id) => ({ id }));
    await this.startBalancer('http', algorithm, members, {}, { http2: true });
  },
);

Given(
  'a balancer with an HTTPS listener speaking HTTP\\/2, routing to a pool per backend like this:',
  async function (this: LbWorld, listener: string) {
    const { routes } = JSON.parse(listener) as { routes: unknown };
    await this.startRoutedBalancer({ routes, http2: true, tls: await listenerTls() });
  },
);

When(
  'a client sends {int} requests over one HTTP\\/2 connection, {int} at a time',
  async function (this: LbWorld, total: number, atOnce: number) {
    const exchanges = await overOneHttp2Connection(this, (connection) =>
      connection.exchanges('/', total, atOnce, timeouts.requestMs),
    );
    this.traffic.exchanges.push(...exchanges);
  },
);

When(
  'a client sends a request over HTTP\\/2 for {string} with the cookie fields {string} and {string}',
  async function (this: LbWorld, authority: string, first: string, second: string) {
    const answer = await overOneHttp2Connection(this, (connection) =>
      connection.request('/', { ':authority': authority, cookie: [first, second] }, timeouts.requestMs),
    );
    recordRawExchange(
      this,
      [
        [':authority', authority],
        ['cookie', first],
        ['cookie', second],
      ],
      '/',
      answer,
    );
  },
);

When(
  'a client sends a request over HTTP\\/2 with header {string}',
  async function (this: LbWorld, header: string) {
    const colon = header.indexOf(':');
    const [name, value] = [header.slice(0, colon).trim().toLowerCase(), header.slice(colon + 1).trim()];
    const answer = await overOneHttp2Connection(this, (connection) =>
      connection.request('/', { [name]: value }, timeouts.requestMs),
    );
    recordRawExchange(this, [[name, value]], '/', answer);
  },
);

Then(
  'the backend received exactly one {string} field, {string}',
  function (this: LbWorld, name: string, expected: string) {
    const raw = backendEcho(this).rawHeaders ?? [];
    const values = raw.filter((_, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === name.toLowerCase());
    if (values.length !== 1 || values[0] !== expected) {
      throw new ExpectationError(
        `expected the backend to receive one ${name} field, ${JSON.stringify(expected)}; it received ${values.length}: ${values.map((value) => JSON.stringify(value)).join(', ') || '(none)'}`,
      );
    }
  },
);

Then('an HTTP\\/1.1 client is served on the same listener', async function (this: LbWorld) {
  const client = this.traffic.openClient();
  try {
    const exchange = await client.exchange(0);
    if (exchange.status !== 200 || exchange.backendId === undefined) {
      throw new ExpectationError(
        `expected an HTTP/1.1 client to be answered 200 by a backend on the listener that also speaks HTTP/2, it got ${exchange.error ?? exchange.note ?? `HTTP ${exchange.status}`}`,
      );
    }
  } finally {
    await client.close();
  }
});
