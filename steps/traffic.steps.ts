import { randomBytes } from 'node:crypto';
import { type DataTable, When } from '@cucumber/cucumber';
import { defaultFalseFailure, requiredSampleSize } from '../harness/checks/statistics.ts';
import { tcpConversation } from '../harness/clients/traffic.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { pollUntil } from '../harness/timing/waiting.ts';
import { holdRequests, settleAndResetCounts } from './support/in-flight.ts';
import { sendRawRequest } from './support/raw-exchange.ts';
import type { LbWorld } from './support/world.ts';

When('a client sends {int} requests one after another', async function (this: LbWorld, count: number) {
  await this.traffic.send({ clients: 1, perClient: count });
});

// As many requests as a uniformity check needs to see a skew, and no more: the sample is the
// smallest in which a backend drawn with probability 1/skewed instead of its fair share falls
// outside the check's bounds but with probability defaultFalseFailure (the check's own false-failure
// bound), so a skew that large is missed no more often than a correct balancer is failed.
function requestsToTellShare(world: LbWorld, skewedDenominator: string): number {
  const backends = world.poolWeights.size;
  const count = requiredSampleSize(
    1 / backends,
    1 / Number(skewedDenominator),
    backends,
    defaultFalseFailure,
    1 - defaultFalseFailure,
  );
  world.attach(
    `${count} requests: the fewest that tell a share of 1/${skewedDenominator} from 1/${backends}`,
  );
  return count;
}

When(
  /^a client sends one after another the requests it takes to tell a share of 1\/(\d+) from a fair one$/,
  async function (this: LbWorld, skewed: string) {
    await this.traffic.send({ clients: 1, perClient: requestsToTellShare(this, skewed) });
  },
);

When(
  /^(\d+) clients send between them at the same time the requests it takes to tell a share of 1\/(\d+) from a fair one$/,
  async function (this: LbWorld, clients: string, skewed: string) {
    await this.traffic.sendShared(Number(clients), requestsToTellShare(this, skewed));
  },
);

When(
  '{int} clients each send {int} request(s) at the same time',
  async function (this: LbWorld, clients: number, perClient: number) {
    await this.traffic.send({ clients, perClient });
  },
);

When(
  '{int} clients send {int} requests between them at the same time',
  async function (this: LbWorld, clients: number, total: number) {
    await this.traffic.sendShared(clients, total);
  },
);

/** "X-User: hot" as a header record. */
function oneHeader(text: string): Record<string, string> {
  const colon = text.indexOf(':');
  if (colon < 1) throw new Error(`"${text}" is not a header: write it as "Name: value"`);
  return { [text.slice(0, colon).trim()]: text.slice(colon + 1).trim() };
}

When(
  '{int} clients each send {int} request(s) at the same time with header {string}',
  async function (this: LbWorld, clients: number, perClient: number, header: string) {
    await this.traffic.send({ clients, perClient }, { headers: oneHeader(header) });
  },
);

When(
  'a client sends {int} requests one after another with header {string}',
  async function (this: LbWorld, count: number, header: string) {
    this.traffic.mark = this.traffic.exchanges.length;
    await this.traffic.send({ clients: 1, perClient: count }, { headers: oneHeader(header) });
  },
);

When('a TCP client sends {int} bytes and then half-closes', async function (this: LbWorld, size: number) {
  const sent = randomBytes(size);
  this.traffic.tcpConversation = { sent, ...(await tcpConversation(this.listenerAddress, sent)) };
});

When(
  '{int} clients take turns sending {int} requests, each client on a connection of its own',
  async function (this: LbWorld, clients: number, total: number) {
    await this.traffic.sendInTurns(clients, total);
  },
);

When(
  'a client sends {int} requests one after another, each on a new connection',
  async function (this: LbWorld, total: number) {
    await this.traffic.sendInTurns(total, total);
  },
);

When('{int} request(s) is/are held open', async function (this: LbWorld, count: number) {
  // Long enough to outlast the scenario; they are released when it ends.
  await holdRequests(this, count, timeouts.requestMs * 3);
});

When(
  '{int} clients each send {int} mixed requests: succeeding, failing, reset by the backend and abandoned by the client',
  async function (this: LbWorld, clients: number, perClient: number) {
    await this.traffic.sendMixed({ clients, perClient });
  },
);

When("every request has finished and the backends' counts are reset", async function (this: LbWorld) {
  await settleAndResetCounts(this);
});

When(
  /^a client sends (\d+) (GET|empty POST) requests one after another, each of which the backend drops if it comes on a kept-alive connection$/,
  async function (this: LbWorld, count: string, kind: string) {
    // A close just as a request comes, every time a connection is reused (see the backend's x-fault).
    const headers = { 'X-Fault': 'close-if-reused' };
    await this.traffic.send(
      { clients: 1, perClient: Number(count) },
      kind === 'GET' ? { headers } : { headers, method: 'POST', body: '' },
    );
  },
);

When('a client sends {int} POST requests one after another', async function (this: LbWorld, count: number) {
  await this.traffic.send({ clients: 1, perClient: count }, { method: 'POST', body: '{"order":1}' });
});

When(
  'a client sends requests until backend {word} has answered {int} more health checks',
  async function (this: LbWorld, id: string, checks: number) {
    const backend = this.backend(id);
    const target = (await backend.stats()).healthChecks + checks;
    this.traffic.mark = this.traffic.exchanges.length;
    await this.traffic.sendUntil(
      async (_, sent) => sent.length % 5 === 0 && (await backend.stats()).healthChecks >= target,
      `backend ${id} has answered ${checks} more health checks`,
      timeouts.requestMs,
    );
  },
);

When(
  'a client sends requests until backend {word} has answered {int}',
  async function (this: LbWorld, id: string, count: number) {
    let answered = 0;
    await this.traffic.sendUntil(
      (latest) => (latest.backendId === id ? ++answered : answered) >= count,
      `backend ${id} has answered ${count} requests`,
      timeouts.requestMs,
    );
  },
);

When(
  'a client sends {int} requests one after another once the pool answers',
  async function (this: LbWorld, count: number) {
    // Requests before the first probes complete may find no backend available; they do not count.
    await this.traffic.sendUntil(
      (latest) => latest.status === 200,
      'the pool answers',
      timeouts.balancerStartMs,
    );
    this.traffic.exchanges = [];
    await this.traffic.send({ clients: 1, perClient: count });
  },
);

When(
  'backend {word} is killed while {int} clients each send {int} requests at the same time',
  async function (this: LbWorld, id: string, clients: number, perClient: number) {
    // The kill comes once a tenth of the load has reached the backends, while the rest goes on.
    const traffic = this.traffic.send({ clients, perClient });
    const total = clients * perClient;
    await pollUntil(
      async () => {
        const counts = await this.backends.receivedCounts([...this.backends.runningIds()]);
        const received = [...counts.values()].reduce((sum, count) => sum + count, 0);
        return received >= total / 10 ? true : undefined;
      },
      { what: `a tenth of ${total} requests to reach the backends`, timeoutMs: timeouts.requestMs },
    );
    await this.change(`backend ${id} was killed under load`, () => this.backend(id).kill());
    await traffic;
  },
);

When(
  '{int} clients keep sending requests for {int} ms',
  async function (this: LbWorld, clients: number, durationMs: number) {
    await this.traffic.sendFor(clients, durationMs);
  },
);

When('a client sends a request with these headers:', async function (this: LbWorld, table: DataTable) {
  await sendRawRequest(
    this,
    table.raw().map(([name, value]) => [name ?? '', value ?? ''] as [string, string]),
  );
});

When('a client requests {string}', async function (this: LbWorld, target: string) {
  await sendRawRequest(this, [], target);
});
