import { Given, When } from '@cucumber/cucumber';
import type { BackendProtocol } from '../harness/backends/provider.ts';
import type { LbWorld } from './support/world.ts';

Given(
  '{int} {protocol} backend(s)',
  async function (this: LbWorld, count: number, protocol: BackendProtocol) {
    await this.backends.start(
      protocol,
      Array.from({ length: count }, (_, i) => `b${i + 1}`),
    );
  },
);

Given('{int} HTTPS backend(s)', async function (this: LbWorld, count: number) {
  await this.backends.start(
    'https',
    Array.from({ length: count }, (_, i) => `b${i + 1}`),
  );
});

Given('{protocol} backends {ids}', async function (this: LbWorld, protocol: BackendProtocol, ids: string[]) {
  await this.backends.start(protocol, ids);
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

Given(
  'backend {word} answers every request with status {int}',
  async function (this: LbWorld, id: string, status: number) {
    await this.backend(id).setBehaviour({ status });
  },
);

Given(
  'every backend answers every request with status {int}',
  async function (this: LbWorld, status: number) {
    await this.backends.every((backend) => backend.setBehaviour({ status }));
  },
);

Given('every backend delays its answers by {int} ms', async function (this: LbWorld, latencyMs: number) {
  await this.backends.every((backend) => backend.setBehaviour({ latencyMs }));
});

Given('backend {word} resets every connection', async function (this: LbWorld, id: string) {
  await this.backend(id).setBehaviour({ reset: true });
});

Given('backend {word} never answers', async function (this: LbWorld, id: string) {
  await this.backend(id).setBehaviour({ hang: true });
});

Given('backend {word} fails its health checks', async function (this: LbWorld, id: string) {
  await this.backend(id).setBehaviour({ healthy: false });
});

Given('backend {word} makes up the backup pool', function (this: LbWorld, id: string) {
  this.backend(id);
  this.backupIds = [id];
});

When('backend {word} is killed', async function (this: LbWorld, id: string) {
  await this.change(`backend ${id} was killed`, () => this.backend(id).kill());
});

When('backend {word} starts failing its health checks', async function (this: LbWorld, id: string) {
  await this.change(`backend ${id} started failing its health checks`, () =>
    this.backend(id).setBehaviour({ healthy: false }),
  );
});

When('backends {ids} start failing their health checks', async function (this: LbWorld, ids: string[]) {
  await this.change(`backends ${ids.join(', ')} started failing their health checks`, () =>
    Promise.all(ids.map((id) => this.backend(id).setBehaviour({ healthy: false }))),
  );
});

When('every backend starts failing its health checks', async function (this: LbWorld) {
  await this.change('every backend started failing its health checks', () =>
    this.backends.every((backend) => backend.setBehaviour({ healthy: false })),
  );
});

When('backend {word} passes its health checks again', async function (this: LbWorld, id: string) {
  await this.change(`backend ${id} started passing its health checks`, () =>
    this.backend(id).setBehaviour({ healthy: true }),
  );
});

When("backend {word}'s health checks stop answering", async function (this: LbWorld, id: string) {
  await this.change(`backend ${id}'s health checks stopped answering`, () =>
    this.backend(id).setBehaviour({ healthHang: true }),
  );
});

Given(
  "backend {word}'s health checks are answered after {int} ms",
  async function (this: LbWorld, id: string, delayMs: number) {
    await this.change(`backend ${id}'s health checks are answered after ${delayMs} ms`, () =>
      this.backend(id).setBehaviour({ healthLatencyMs: delayMs }),
    );
  },
);

When(
  'backend {word} answers its next health checks with {statuses}',
  async function (this: LbWorld, id: string, statuses: number[]) {
    await this.backend(id).setBehaviour({ healthStatuses: statuses });
  },
);

Given('backend {word} accepts no connections', async function (this: LbWorld, id: string) {
  await this.backends.stopAccepting(id);
});

Given(
  'backend {word} answers every request with status {int} after {int} ms',
  async function (this: LbWorld, id: string, status: number, latencyMs: number) {
    await this.backend(id).setBehaviour({ status, latencyMs });
  },
);

Given(
  'backend {word} fails its first {int} requests with status {int}',
  async function (this: LbWorld, id: string, count: number, status: number) {
    await this.backend(id).setBehaviour({ failNext: { count, status } });
  },
);

Given(
  'backend {word} answers its requests with statuses {statuses} in turn',
  async function (this: LbWorld, id: string, statuses: number[]) {
    await this.backend(id).setBehaviour({ statusSequence: statuses });
  },
);
