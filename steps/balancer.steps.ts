import { Given, When } from '@cucumber/cucumber';
import type { BackendProtocol } from './support/backends/provider.ts';
import type { LbWorld, PoolMember } from './support/world.ts';

Given(
  'a balancer with a(n) {protocol} listener using {algorithm} over all backends',
  async function (this: LbWorld, protocol: BackendProtocol, algorithm: string) {
    await this.startBalancer(
      protocol,
      algorithm,
      [...this.backends.keys()].map((id) => ({ id })),
    );
  },
);

Given(
  'a balancer with a(n) {protocol} listener using {algorithm} over {ids}',
  async function (this: LbWorld, protocol: BackendProtocol, algorithm: string, ids: string[]) {
    await this.startBalancer(
      protocol,
      algorithm,
      ids.map((id) => ({ id })),
    );
  },
);

When(
  'the balancer is reconfigured to use {algorithm} over {ids}',
  async function (this: LbWorld, algorithm: string, ids: string[]) {
    await this.reconfigurePool(
      algorithm,
      ids.map((id) => ({ id })),
    );
  },
);

Given(
  'a balancer with a(n) {protocol} listener using {algorithm} over {weighted}',
  async function (this: LbWorld, protocol: BackendProtocol, algorithm: string, members: PoolMember[]) {
    await this.startBalancer(protocol, algorithm, members);
  },
);

When(
  'the balancer is reconfigured to use {algorithm} over {weighted}',
  async function (this: LbWorld, algorithm: string, members: PoolMember[]) {
    await this.reconfigurePool(algorithm, members);
  },
);
