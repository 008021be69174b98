import { type DataTable, Given, Then } from '@cucumber/cucumber';
import { ExpectationError, expectAllSucceeded } from '../harness/checks/expectations.ts';
import { assertShares, checkShares } from '../harness/checks/statistics.ts';
import { type RawAnswer, rawHttpRequest } from '../harness/clients/traffic.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { measuredBy } from './support/diagnosis.ts';
import { overOneHttp2Connection } from './support/http2-clients.ts';
import { rawAnswerHeaders } from './support/raw-exchange.ts';
import { topicState } from './support/topic-state.ts';
import type { LbWorld } from './support/world.ts';

// The requests routed one by one, for the diagnosis of a failure.
const routing = topicState(() => ({
  routed: [] as { method: string; target: string; header?: string; expected: string; reached: string }[],
  /** Targets as the backends should have received them, and as they did. */
  received: [] as { sent?: string; expected: string; received: string }[],
  /** Redirect statuses the routes ask for, and those the clients got. */
  redirects: [] as { expected: number; status: number }[],
}));

measuredBy((world) => {
  const { routed, received, redirects } = routing(world);
  return {
    ...(routed.length === 0 ? {} : { routed }),
    ...(received.length === 0 ? {} : { receivedTargets: received }),
    ...(redirects.length === 0 ? {} : { redirects }),
  };
});

Given(
  'backend {word} adds these headers to its answers:',
  async function (this: LbWorld, id: string, table: DataTable) {
    await this.backend(id).setBehaviour({ answerHeaders: Object.fromEntries(table.raw()) });
  },
);

Then('requests are routed like this:', async function (this: LbWorld, table: DataTable) {
  await expectRoutedLike(this, table, (method, target, headers) =>
    rawHttpRequest(this.listenerAddress, { method, path: target, headers }),
  );
});

Then(
  'requests over one HTTP\\/2 connection are routed like this:',
  async function (this: LbWorld, table: DataTable) {
    await overOneHttp2Connection(this, (connection) =>
      expectRoutedLike(this, table, (method, target, headers) => {
        const [[, authority], ...others] = headers as [[string, string], ...[string, string][]];
        const fields = Object.fromEntries(others.map(([name, value]) => [name.toLowerCase(), value]));
        return connection.request(
          target,
          { ':method': method, ':authority': authority, ...fields },
          timeouts.requestMs,
        );
      }),
    );
  },
);

/** Sends each row's request as `send` does and fails naming every one that reached the wrong place. */
async function expectRoutedLike(
  world: LbWorld,
  table: DataTable,
  send: (method: string, target: string, headers: [string, string][]) => Promise<RawAnswer>,
): Promise<void> {
  const wrong: string[] = [];
  for (const row of table.hashes()) {
    const { method = 'GET', host = '', target = '/', header = '', to = '' } = row;
    const headers: [string, string][] = [['Host', host]];
    const colon = header.indexOf(':');
    if (colon > 0) headers.push([header.slice(0, colon).trim(), header.slice(colon + 1).trim()]);
    const answer = await send(method, target, headers);
    const reached = answer.headers['x-backend-id'] ?? String(answer.status);
    routing(world).routed.push({
      method,
      target,
      ...(header === '' ? {} : { header }),
      expected: to,
      reached,
    });
    if (reached !== to)
      wrong.push(
        `${method} ${host}${target}: expected ${to}, got ${reached} (${answer.body.slice(0, 100).trim()})`,
      );
  }
  if (wrong.length > 0)
    throw new ExpectationError(`requests went to the wrong place:\n  ${wrong.join('\n  ')}`);
}

// Every request of these tables is for host app.example unless a table has a host column.
const host = 'app.example';

Then('requests reach the backends like this:', async function (this: LbWorld, table: DataTable) {
  const wrong: string[] = [];
  for (const row of table.hashes()) {
    const {
      target = '/',
      to = '',
      'received target': url,
      'received host': received,
      host: sent = host,
    } = row;
    const answer = await rawHttpRequest(this.listenerAddress, { path: target, headers: [['Host', sent]] });
    const reached = answer.headers['x-backend-id'] ?? `HTTP ${answer.status}`;
    routing(this).routed.push({ method: 'GET', target, expected: to, reached });
    const echo =
      reached === to ? (JSON.parse(answer.body) as { url: string; headers: { host?: string } }) : undefined;
    if (echo) routing(this).received.push({ sent: target, expected: url ?? '', received: echo.url });
    if (!echo) wrong.push(`${target}: expected ${to}, got ${reached} (${answer.body.slice(0, 100).trim()})`);
    else if (echo.url !== url || echo.headers.host !== received)
      wrong.push(
        `${target}: expected ${to} to receive ${url} for host ${received}, it received ${echo.url} for host ${echo.headers.host}`,
      );
  }
  if (wrong.length > 0)
    throw new ExpectationError(`requests reached the backends wrongly:\n  ${wrong.join('\n  ')}`);
});

Then('requests are redirected like this:', async function (this: LbWorld, table: DataTable) {
  const wrong: string[] = [];
  for (const { method = 'GET', target = '/', status, location } of table.hashes()) {
    const answer = await rawHttpRequest(this.listenerAddress, {
      method,
      path: target,
      headers: [['Host', host]],
    });
    routing(this).redirects.push({ expected: Number(status), status: answer.status });
    const got = `${answer.status} ${answer.headers.location ?? '(no Location)'}`;
    if (got !== `${status} ${location}`)
      wrong.push(`${method} ${target}: expected ${status} ${location}, got ${got}`);
  }
  if (wrong.length > 0) throw new ExpectationError(`wrong redirects:\n  ${wrong.join('\n  ')}`);
});

Then(
  'the answer carried header {string} as {string}',
  function (this: LbWorld, name: string, expected: string) {
    const headers = rawAnswerHeaders(this);
    const value = headers[name.toLowerCase()];
    if (value !== expected) {
      throw new ExpectationError(
        `expected the answer to carry ${name}: ${expected}, it carried ${value === undefined ? 'no such header' : `${name}: ${value}`}; all its headers: ${JSON.stringify(headers)}`,
      );
    }
  },
);

Then('the answer carried none of the headers {string}', function (this: LbWorld, names: string) {
  const headers = rawAnswerHeaders(this);
  const kept = names.split(', ').filter((name) => headers[name.toLowerCase()] !== undefined);
  if (kept.length > 0) {
    throw new ExpectationError(
      `expected the answer without ${kept.join(', ')}, it carried: ${JSON.stringify(headers)}`,
    );
  }
});

Then(
  'the requests were shared out between the backends like this:',
  async function (this: LbWorld, table: DataTable) {
    expectAllSucceeded(this.traffic.exchanges);
    const shares = new Map(
      table.raw().map(([id, percent]) => [id ?? '', Number.parseFloat(percent ?? '') / 100]),
    );
    const check = checkShares(await this.backends.receivedCounts([...this.backends.keys()]), shares);
    this.charts.shares(check);
    assertShares(check);
  },
);
