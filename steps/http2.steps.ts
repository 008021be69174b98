import { Given, Then, When } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import {
  errorCode,
  frameType,
  getRequest,
  type RawHttp2Connection,
  resetStream,
  type StreamOutcomes,
  streamOutcomes,
} from '../harness/clients/h2-frames.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { pollUntil } from '../harness/timing/waiting.ts';
import { openRawHttp2To, overOneHttp2Connection } from './support/http2-clients.ts';
import { backendEcho, recordRawExchange } from './support/raw-exchange.ts';
import { listenerTls, serverName, startTlsBalancer } from './support/tls-listener.ts';
import { topicState } from './support/topic-state.ts';
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
  'a balancer with an HTTP listener speaking HTTP\\/2 using {algorithm} over all backends, with these client limits:',
  async function (this: LbWorld, algorithm: string, text: string) {
    const members = [...this.backends.keys()].map((id) => ({ id }));
    await this.startBalancer('http', algorithm, members, {}, { http2: true, limits: JSON.parse(text) });
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

// The last flood a client sent on one raw connection, and what came of it.
const flood = topicState(() => ({
  limit: undefined as number | undefined,
  opened: 0,
  outcomes: undefined as StreamOutcomes | undefined,
  /** Whether the balancer closed the connection (with or without GOAWAY). */
  closed: false,
}));

/** A raw connection to the first listener, over TLS when it has TLS; fails when it advertises no stream limit. */
async function rawConnectionWithLimit(world: LbWorld): Promise<RawHttp2Connection & { limit: number }> {
  const connection = await openRawHttp2To(world);
  const limit = connection.maxConcurrentStreams;
  if (limit === undefined || limit > maxStreamLimit) {
    connection.close();
    throw new ExpectationError(
      `expected the listener to advertise SETTINGS_MAX_CONCURRENT_STREAMS of at most ${maxStreamLimit} (RFC 9113 recommends no less than 100), it advertised ${limit ?? 'none, so no limit'}`,
    );
  }
  flood(world).limit = limit;
  return Object.assign(connection, { limit });
}

// A bound a client can hold a balancer to: more streams at once than this is a flood's doing.
const maxStreamLimit = 1000;

When(
  'a client opens {int} more streams at once than the listener allows, on one connection',
  async function (this: LbWorld, extra: number) {
    const connection = await rawConnectionWithLimit(this);
    const authority = serverName;
    const total = connection.limit + extra;
    const requests = Array.from({ length: total }, (_, i) =>
      getRequest(2 * i + 1, authority, `/?flood=${i}`, connection.scheme),
    );
    await connection.write(Buffer.concat(requests));
    // Every stream ends answered or refused, or the connection goes.
    await connection.until((received) => {
      const { answered, resetBy } = streamOutcomes(received);
      return answered + [...resetBy.values()].reduce((sum, count) => sum + count, 0) >= total;
    }, timeouts.requestMs);
    Object.assign(flood(this), {
      opened: total,
      outcomes: streamOutcomes(connection.received),
      closed: connection.closed,
    });
    connection.close();
  },
);

Then(
  'no more streams were answered than the listener allows, the rest refused or the connection closed',
  function (this: LbWorld) {
    const { limit, opened, outcomes, closed } = flood(this);
    if (limit === undefined || !outcomes) throw new Error('no stream flood was sent in this scenario');
    const refused = [...outcomes.resetBy.values()].reduce((sum, count) => sum + count, 0);
    const connectionGone = outcomes.goaway || closed;
    if (outcomes.answered > limit || (!connectionGone && outcomes.answered + refused < opened)) {
      throw new ExpectationError(
        `expected at most ${limit} of ${opened} streams opened at once to be answered (the listener's limit), the rest refused (RST_STREAM) or the connection closed; ${outcomes.answered} were answered, ${refused} reset, ${outcomes.goaway ? 'then GOAWAY' : closed ? 'then the connection closed' : 'and the connection stayed open'}`,
      );
    }
  },
);

Then(
  "backend {word} never had more requests in flight than {int} times the listener's stream limit",
  async function (this: LbWorld, id: string, times: number) {
    const { limit } = flood(this);
    if (limit === undefined) throw new Error('no stream flood was sent in this scenario');
    const { peakActiveRequests } = await this.backend(id).stats();
    if (peakActiveRequests > times * limit) {
      throw new ExpectationError(
        `expected backend ${id} never to have more than ${times} x ${limit} (the listener's stream limit) requests in flight from one connection, it had ${peakActiveRequests} at once`,
      );
    }
  },
);

When(
  'a client opens and at once resets {int} streams, on one connection',
  async function (this: LbWorld, total: number) {
    const connection = await rawConnectionWithLimit(this);
    // As the attack goes: a batch of as many streams as the limit allows, then a reset of each,
    // so the client never has more open than it may. Each batch is reset once the balancer has
    // taken all of it (forwarded to the backends or refused), as an attacker across a network
    // sees it happen: on loopback, streams and resets written at once arrive in one read.
    const backends = [...this.backends.values()];
    const forwarded = async () =>
      (await Promise.all(backends.map((backend) => backend.stats()))).reduce(
        (sum, { requests }) => sum + requests,
        0,
      );
    let before = await forwarded();
    for (let first = 0; first < total && !connection.closed; first += connection.limit) {
      const ids = Array.from(
        { length: Math.min(connection.limit, total - first) },
        (_, i) => 2 * (first + i) + 1,
      );
      await connection.write(
        Buffer.concat(ids.map((id) => getRequest(id, serverName, '/', connection.scheme))),
      );
      const refused = (): number =>
        connection.received.filter(
          (frame) => frame.type === frameType.rstStream && frame.streamId > 2 * first,
        ).length;
      await pollUntil(
        async () =>
          connection.closed || (await forwarded()) - before + refused() >= ids.length ? true : undefined,
        { what: 'the balancer to take a batch of streams', timeoutMs: timeouts.requestMs },
      ).catch(() => undefined);
      before = await forwarded();
      await connection.write(Buffer.concat(ids.map((id) => resetStream(id, errorCode.cancel))));
    }
    connection.close();
  },
);

Then(
  "the backends never had more requests in flight, together, than {int} times the listener's stream limit",
  async function (this: LbWorld, times: number) {
    const { limit } = flood(this);
    if (limit === undefined) throw new Error('no stream flood was sent in this scenario');
    // The sum of each backend's peak: never less than the peak of the sum.
    const stats = await this.backends.statsOf();
    const peaks = [...stats].map(([id, { peakActiveRequests }]) => `${id} ${peakActiveRequests}`);
    const total = [...stats.values()].reduce((sum, { peakActiveRequests }) => sum + peakActiveRequests, 0);
    if (total > times * limit) {
      throw new ExpectationError(
        `expected the backends never to have more than ${times} x ${limit} (the listener's stream limit) requests of one connection in flight, their peaks add up to ${total} (${peaks.join(', ')})`,
      );
    }
  },
);

Then('a new HTTP\\/2 connection is served', async function (this: LbWorld) {
  const exchanges = await overOneHttp2Connection(this, (connection) =>
    connection.exchanges('/', 10, 5, timeouts.requestMs),
  );
  const failed = exchanges.filter((exchange) => exchange.status !== 200);
  if (failed.length > 0) {
    throw new ExpectationError(
      `expected a new connection to be served after the flood, but ${failed.length} of 10 requests failed, e.g. ${failed[0]?.error ?? `HTTP ${failed[0]?.status}`}`,
    );
  }
});
