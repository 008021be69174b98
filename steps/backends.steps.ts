import { Given, When } from '@cucumber/cucumber';
import type { BackendProtocol } from './support/backends/provider.ts';
import type { LbWorld } from './support/world.ts';

Given(
  '{int} {protocol} backend(s)',
  async function (this: LbWorld, count: number, protocol: BackendProtocol) {
    await this.startBackends(
      protocol,
      Array.from({ length: count }, (_, i) => `b${i + 1}`),
    );
  },
);

Given('{protocol} backends {ids}', async function (this: LbWorld, protocol: BackendProtocol, ids: string[]) {
  await this.startBackends(protocol, ids);
});

When('backend {word} is stopped', async function (this: LbWorld, id: string) {
  await this.backend(id).stop();
});

Given(
  'backend {word} delays its answers by {int} ms',
  async function (this: LbWorld, id: string, delayMs: number) {
    await this.backend(id).setBehaviour({ latencyMs: delayMs });
  },
);
