import { Then, When } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import type { RouteDocument } from '../harness/spec/config-document.ts';
import { withRoutes } from '../harness/spec/scenario-configs.ts';
import {
  changeLive,
  changePoolMembers,
  liveAt,
  nextRoutesLabel,
  routesLabel,
} from './support/pool-changes.ts';
import type { LbWorld } from './support/world.ts';

When('{int} clients start sending requests continuously', function (this: LbWorld, clients: number) {
  this.traffic.startContinuous(clients);
});

When('the clients stop', async function (this: LbWorld) {
  await this.traffic.stopContinuous();
});

When('backend {word} joins the pool', async function (this: LbWorld, id: string) {
  await changePoolMembers(this, id, 'joined', (backends) => [
    ...backends,
    { id, address: this.backend(id).address },
  ]);
});

When('backend {word} is drained', async function (this: LbWorld, id: string) {
  await changePoolMembers(this, id, 'drained', (backends) =>
    backends.map((backend) => (backend.id === id ? { ...backend, drain: true } : backend)),
  );
});

When("backend {word}'s weight becomes {int}", async function (this: LbWorld, id: string, weight: number) {
  await changePoolMembers(this, id, 'reweighted', (backends) =>
    backends.map((backend) => (backend.id === id ? { ...backend, weight } : backend)),
  );
});

When('backend {word} leaves the pool', async function (this: LbWorld, id: string) {
  await changePoolMembers(this, id, 'left', (backends) => backends.filter((backend) => backend.id !== id));
});

When('the routes become:', async function (this: LbWorld, text: string) {
  const { routes } = JSON.parse(text) as { routes: RouteDocument[] };
  const pools = routes.flatMap((route) =>
    'pool' in route && typeof route.pool === 'string' ? [route.pool] : [],
  );
  await changeLive(this, nextRoutesLabel(this), withRoutes(this.config, routes), { what: 'routes', pools });
});

Then(
  'no request sent after the routes first changed reached backend {word}',
  function (this: LbWorld, id: string) {
    const since = liveAt(this, 'routes 1');
    const late = this.traffic.exchanges.filter(
      (exchange) => exchange.sentAtMs > since && exchange.backendId === id,
    );
    if (late.length > 0)
      throw new ExpectationError(
        `${late.length} requests sent after the routes changed (and the balancer said the change was live) still reached ${id}`,
      );
  },
);

Then('backend {word} received requests after the routes last changed', function (this: LbWorld, id: string) {
  const since = liveAt(this, routesLabel(this));
  if (!this.traffic.exchanges.some((exchange) => exchange.sentAtMs > since && exchange.backendId === id))
    throw new ExpectationError(`${id} received no request after the routes last changed`);
});

Then(
  /^no request sent after backend (\w+) was (drained|removed) reached it$/,
  function (this: LbWorld, id: string, how: string) {
    const since = liveAt(this, `${id} ${how === 'removed' ? 'left' : how}`);
    const late = this.traffic.exchanges.filter(
      (exchange) => exchange.sentAtMs > since && exchange.backendId === id,
    );
    if (late.length > 0) {
      throw new ExpectationError(
        `${late.length} requests sent after ${id} was ${how} (and the balancer said the change was live) still reached it, the first ${Math.round((late[0]?.sentAtMs ?? since) - since)} ms after`,
      );
    }
  },
);

Then('backend {word} received requests after it joined', function (this: LbWorld, id: string) {
  const since = liveAt(this, `${id} joined`);
  const served = this.traffic.exchanges.filter(
    (exchange) => exchange.sentAtMs > since && exchange.backendId === id,
  );
  if (served.length === 0)
    throw new ExpectationError(`${id} joined the pool but received no request afterwards`);
});
