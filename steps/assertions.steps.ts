import { Then } from '@cucumber/cucumber';
import {
  countByBackend,
  ExpectationError,
  expectAllSucceeded,
  expectAtLeast,
  expectExactShare,
  expectFailuresVisible,
  expectRotation,
} from './support/expectations.ts';
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
