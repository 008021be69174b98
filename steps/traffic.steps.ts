import { randomBytes } from 'node:crypto';
import { When } from '@cucumber/cucumber';
import { timeouts } from './support/timeouts.ts';
import { tcpConversation } from './support/traffic.ts';
import type { LbWorld } from './support/world.ts';

When('a client sends {int} requests one after another', async function (this: LbWorld, count: number) {
  await this.sendTraffic({ clients: 1, perClient: count });
});

When(
  '{int} clients each send {int} requests at the same time',
  async function (this: LbWorld, clients: number, perClient: number) {
    await this.sendTraffic({ clients, perClient });
  },
);

When('a TCP client sends {int} bytes and then half-closes', async function (this: LbWorld, size: number) {
  const sent = randomBytes(size);
  this.tcpConversation = { sent, ...(await tcpConversation(this.listenerAddress, sent)) };
});

When('{int} request(s) is/are held open', async function (this: LbWorld, count: number) {
  // Long enough to outlast the scenario; the world releases them when it ends.
  await this.holdOpen(count, timeouts.requestMs * 3);
});

When(
  '{int} clients each send {int} mixed requests: succeeding, failing, reset by the backend and abandoned by the client',
  async function (this: LbWorld, clients: number, perClient: number) {
    await this.sendMixedTraffic({ clients, perClient });
  },
);

When("every request has finished and the backends' counts are reset", async function (this: LbWorld) {
  await this.settleAndResetCounts();
});
