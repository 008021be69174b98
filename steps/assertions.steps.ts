import { Then } from '@cucumber/cucumber';
import {
  countByBackend,
  ExpectationError,
  expectAllSucceeded,
  expectAtLeast,
  expectExactShare,
  expectFailuresVisible,
  expectRotation,
  expectSmooth,
  expectWindowsInProportion,
} from './support/expectations.ts';
import { expectShares } from './support/statistics.ts';
import type { LbWorld } from './support/world.ts';

Then('every request succeeded', function (this: LbWorld) {
  expectAllSucceeded(this.exchanges);
});

Then('each backend received exactly {int} requests', async function (this: LbWorld, expected: number) {
  const ids = [...this.backends.keys()];
  expectExactShare(
    await this.receivedCounts(ids),
    onlyThese(countByBackend(this.exchanges, ids), ids),
    expected,
  );
});

Then(
  'backends {ids} each received exactly {int} requests',
  async function (this: LbWorld, ids: string[], expected: number) {
    expectExactShare(
      await this.receivedCounts(ids),
      onlyThese(countByBackend(this.exchanges, ids), ids),
      expected,
    );
  },
);

Then('backend {word} received no requests', async function (this: LbWorld, id: string) {
  expectExactShare(await this.receivedCounts([id]), onlyThese(countByBackend(this.exchanges, [id]), [id]), 0);
});

Then('the requests were answered in rotation in the order {ids}', function (this: LbWorld, order: string[]) {
  expectRotation(
    this.exchanges.map((exchange) => exchange.backendId),
    order,
  );
});

Then('every request was answered by a running backend or failed visibly', function (this: LbWorld) {
  expectFailuresVisible(this.exchanges, this.runningBackendIds());
});

Then(
  'each running backend received at least {int} requests',
  async function (this: LbWorld, minimum: number) {
    const running = [...this.runningBackendIds()];
    expectAtLeast(await this.receivedCounts(running), running, minimum);
  },
);

Then(
  'the TCP client received all bytes back in order and then the end of the stream',
  function (this: LbWorld) {
    const conversation = this.tcpConversation;
    if (!conversation) throw new Error('no TCP conversation took place in this scenario');
    const { sent, echoed, ended } = conversation;
    const firstDifference = echoed.findIndex((byte, i) => byte !== sent[i]);
    if (!ended || echoed.length !== sent.length || firstDifference >= 0) {
      throw new ExpectationError(
        `expected ${sent.length} bytes echoed and then the end of the stream, got ${echoed.length} bytes${firstDifference >= 0 ? `, first difference at byte ${firstDifference}` : ''}, stream ${ended ? 'ended' : 'not ended'}`,
      );
    }
  },
);

// Client-side counts of just `ids`: answers from the scenario's other backends are checked elsewhere.
function onlyThese(counts: Map<string, number>, ids: readonly string[]): Map<string, number> {
  return new Map(ids.map((id) => [id, counts.get(id) ?? 0]));
}

Then(
  'every run of consecutive requests as long as the total weight was answered in proportion to the weights',
  function (this: LbWorld) {
    expectWindowsInProportion(
      this.exchanges.map((exchange) => exchange.backendId),
      this.poolWeights,
    );
  },
);

Then(
  'no backend strayed more than {float} requests from its ideal share over any run of consecutive requests',
  function (this: LbWorld, bound: number) {
    expectSmooth(
      this.exchanges.map((exchange) => exchange.backendId),
      this.poolWeights,
      bound,
    );
  },
);

Then('the backends holding requests received none of the new requests', async function (this: LbWorld) {
  const busy = [...new Set(this.held?.backendIds ?? [])];
  if (busy.length === 0) throw new Error('no request was held open in this scenario');
  expectExactShare(await this.receivedCounts(busy), onlyThese(countByBackend(this.exchanges, busy), busy), 0);
});

Then('the held requests are on {int} different backends', function (this: LbWorld, expected: number) {
  const distinct = new Set(this.held?.backendIds ?? []);
  if (distinct.size !== expected) {
    throw new ExpectationError(
      `expected the held requests on ${expected} different backends, found them on ${distinct.size}: ${this.held?.backendIds.join(', ')}`,
    );
  }
});

Then(
  'backend {word} received fewer than half as many requests as any other backend',
  async function (this: LbWorld, slow: string) {
    const counts = await this.receivedCounts();
    const slowCount = counts.get(slow) ?? 0;
    const others = [...counts].filter(([id]) => id !== slow);
    if (others.some(([, count]) => slowCount * 2 >= count)) {
      throw new ExpectationError(
        `expected ${slow} to receive fewer than half as many requests as each other backend: ${[...counts].map(([id, count]) => `${id} ${count}`).join(', ')}`,
      );
    }
  },
);

Then(
  'no backend had more than {int} requests in flight at once',
  async function (this: LbWorld, bound: number) {
    const peaks = await Promise.all(
      [...this.backends.keys()].map(async (id) => [id, await this.peakInFlight(id)] as const),
    );
    if (peaks.some(([, peak]) => peak > bound)) {
      throw new ExpectationError(
        `expected at most ${bound} requests in flight on any backend at once, peaks were: ${peaks.map(([id, peak]) => `${id} ${peak}`).join(', ')}`,
      );
    }
  },
);

Then('the requests were spread uniformly over the backends', async function (this: LbWorld) {
  const ids = [...this.poolWeights.keys()];
  expectShares(await this.receivedCounts(ids), new Map(ids.map((id) => [id, 1 / ids.length])));
});
