import { Given, When } from '@cucumber/cucumber';
import type { ListenerProtocol, PoolSettings } from '../harness/spec/config-document.ts';
import type { LbWorld, PoolMember } from './support/world.ts';

Given(
  'a balancer with a(n) {protocol} listener using {algorithm} over all backends',
  async function (this: LbWorld, protocol: ListenerProtocol, algorithm: string) {
    await this.startBalancer(
      protocol,
      algorithm,
      [...this.backends.keys()].map((id) => ({ id })),
    );
  },
);

Given(
  'a balancer with a(n) {protocol} listener using {algorithm} over {ids}',
  async function (this: LbWorld, protocol: ListenerProtocol, algorithm: string, ids: string[]) {
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
  async function (this: LbWorld, protocol: ListenerProtocol, algorithm: string, members: PoolMember[]) {
    await this.startBalancer(protocol, algorithm, members);
  },
);

When(
  'the balancer is reconfigured to use {algorithm} over {weighted}',
  async function (this: LbWorld, algorithm: string, members: PoolMember[]) {
    await this.reconfigurePool(algorithm, members);
  },
);

Given(
  'a balancer with a(n) {protocol} listener using {algorithm} over all backends, whose pool has:',
  async function (this: LbWorld, protocol: ListenerProtocol, algorithm: string, settings: string) {
    await this.startBalancer(
      protocol,
      algorithm,
      [...this.backends.keys()].map((id) => ({ id })),
      parsePoolSettings(settings),
    );
  },
);

Given(
  'a balancer with a(n) {protocol} listener using {algorithm} over {ids}, whose pool has:',
  async function (
    this: LbWorld,
    protocol: ListenerProtocol,
    algorithm: string,
    ids: string[],
    settings: string,
  ) {
    await this.startBalancer(
      protocol,
      algorithm,
      ids.map((id) => ({ id })),
      parsePoolSettings(settings),
    );
  },
);

// The doc string under a step: a JSON object of pool settings (the config schema's pool fields).
function parsePoolSettings(text: string): PoolSettings {
  return parseJsonObject(text, 'the pool settings under the step') as PoolSettings;
}

When(
  'the balancer gets a second listener {string} over the same backends, whose pool has:',
  async function (this: LbWorld, name: string, settings: string) {
    await this.addListener(name, parsePoolSettings(settings));
  },
);

Given(
  'a balancer with an HTTP listener routing to a pool per backend like this:',
  async function (this: LbWorld, listener: string) {
    await this.startRoutedBalancer(parseJsonObject(listener, 'the listener under the step'));
  },
);

Given(
  'a balancer with a TCP listener passing TLS through to a pool per backend like this:',
  async function (this: LbWorld, listener: string) {
    await this.startRoutedBalancer({
      ...parseJsonObject(listener, 'the listener under the step'),
      protocol: 'tcp',
    });
  },
);

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not JSON: ${(error as Error).message}\n${text}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${what} must be a JSON object, got: ${text}`);
  }
  return value as Record<string, unknown>;
}
