import { type DataTable, Then, When } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import { allOnOneProbability, defaultFalseFailure } from '../harness/checks/statistics.ts';
import {
  cookieAttributes,
  cookieValueOf,
  namesRevealed,
  type StickyAnswer,
  stickyRequest,
} from '../harness/clients/sticky.ts';
import { mainPoolOf } from '../harness/spec/scenario-configs.ts';
import { failedChecksBound } from '../harness/timing/health-timing.ts';
import { measuredBy } from './support/diagnosis.ts';
import { changePoolMembers } from './support/pool-changes.ts';
import { settleOn } from './support/settling.ts';
import { topicState } from './support/topic-state.ts';
import type { LbWorld } from './support/world.ts';

const sticky = topicState(() => ({
  /** A client that keeps the affinity cookie it is given, and what each of its requests got. */
  client: undefined as
    | { cookie: string | undefined; readonly answers: StickyAnswer[]; mark: number }
    | undefined,
  /** Requests sent with forged affinity cookies, by the kind of forgery. */
  forgedCookies: undefined as
    | { readonly label: string; readonly answers: readonly StickyAnswer[] }[]
    | undefined,
}));

measuredBy((world) => {
  const { client: kept, forgedCookies } = sticky(world);
  if (!kept && !forgedCookies) return {};
  const config = world.balancer.config;
  const configured = config ? mainPoolOf(config).stickySession : undefined;
  return {
    sticky: {
      answers: kept?.answers ?? [],
      mark: kept?.mark ?? 0,
      ...(forgedCookies ? { forged: forgedCookies } : {}),
      backendAddresses: Object.fromEntries(
        [...world.backends.keys()].map((id) => [id, world.backend(id).address]),
      ),
      ...(configured
        ? {
            config: {
              ...(configured.path === undefined ? {} : { path: configured.path }),
              ...(configured.httpOnly === undefined ? {} : { httpOnly: configured.httpOnly }),
              ...(configured.sameSite === undefined ? {} : { sameSite: configured.sameSite }),
              ...(configured.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: configured.maxAgeSeconds }),
            },
          }
        : {}),
    },
  };
});

// Every scenario of the feature names its cookie "lb".
const cookieName = 'lb';

function client(world: LbWorld) {
  const state = sticky(world);
  state.client ??= { cookie: undefined, answers: [], mark: 0 };
  return state.client;
}

async function sendKeepingCookie(world: LbWorld, count: number, address: string): Promise<void> {
  const state = client(world);
  state.mark = state.answers.length;
  for (let i = 0; i < count; i++) {
    const answer = await stickyRequest(address, cookieName, state.cookie);
    state.answers.push(answer);
    if (answer.setCookie) state.cookie = cookieValueOf(answer.setCookie);
  }
}

When(
  /^a client sends (\d+) requests? one after another, returning the cookie it is given$/,
  async function (this: LbWorld, count: string) {
    await sendKeepingCookie(this, Number(count), this.listenerAddress);
  },
);

When(
  'the client sends {int} more requests, returning the cookie it is given',
  async function (this: LbWorld, count: number) {
    await sendKeepingCookie(this, count, this.listenerAddress);
  },
);

When(
  'the client sends {int} more requests to the second balancer, returning the cookie it is given',
  async function (this: LbWorld, count: number) {
    const address = this.balancer.secondListenerAddress;
    if (!address) throw new Error('no second balancer was started in this scenario');
    await sendKeepingCookie(this, count, address);
  },
);

When('a client without a cookie takes the first turn of the rotation', async function (this: LbWorld) {
  await stickyRequest(this.listenerAddress, cookieName, undefined);
});

When('the backend it reached is removed from the pool', async function (this: LbWorld) {
  const reached = client(this).answers[0]?.backend;
  const rest = this.mainPool.backends.filter((backend) => backend.id !== reached).map(({ id }) => ({ id }));
  await this.reconfigurePool(this.mainPool.algorithm ?? 'round_robin', rest);
});

When('the backend it reached is drained', async function (this: LbWorld) {
  const reached = reachedFirst(this);
  await changePoolMembers(this, reached, 'drained', (backends) =>
    backends.map((backend) => (backend.id === reached ? { ...backend, drain: true } : backend)),
  );
});

When(
  'the backend it reached answers every request with status {int}',
  async function (this: LbWorld, status: number) {
    const reached = reachedFirst(this);
    await this.change(`backend ${reached} answers every request with ${status}`, () =>
      this.backend(reached).setBehaviour({ status }),
    );
  },
);

When(
  'the backend it reached starts failing its health checks, and within {int} failed checks is out of rotation',
  async function (this: LbWorld, checks: number) {
    const reached = client(this).answers[0]?.backend;
    if (reached === undefined) throw new Error('the client has reached no backend yet');
    await this.change(`backend ${reached} started failing its health checks`, () =>
      this.backend(reached).setBehaviour({ healthy: false }),
    );
    const others = this.mainPool.backends.map(({ id }) => id).filter((id) => id !== reached);
    await settleOn(
      this,
      { kind: 'backends', ids: new Set(others) },
      failedChecksBound(this.healthCheckTiming, checks),
    );
  },
);

When('a second balancer with the same pools is started', async function (this: LbWorld) {
  await this.balancer.startMore(1);
});

/** The backend the client's first request reached, which its cookie pins. */
function reachedFirst(world: LbWorld): string {
  const reached = client(world).answers[0]?.backend;
  if (reached === undefined) throw new Error('the client has reached no backend yet');
  return reached;
}

function answers(world: LbWorld): StickyAnswer[] {
  const state = sticky(world).client;
  if (!state || state.answers.length === 0) throw new Error('no client kept cookies in this scenario');
  return state.answers;
}

Then('every request reached the backend the first one did', function (this: LbWorld) {
  const all = answers(this);
  const first = all[0]?.backend as string;
  const strays = all.filter((answer) => answer.backend !== first);
  if (!this.backends.has(first) || strays.length > 0) {
    throw new ExpectationError(
      `the client's requests went to ${all.map((answer) => answer.backend).join(' ')}; with its cookie every one should reach ${first}`,
    );
  }
});

Then(
  'the first answer set the cookie {string} with {string}',
  function (this: LbWorld, name: string, attributes: string) {
    const setCookie = answers(this)[0]?.setCookie;
    const have = cookieAttributes(setCookie ?? '');
    const missing = attributes.split('; ').filter((attribute) => {
      const [key, value = ''] = attribute.split('=') as [string, string?];
      return have.get(key.toLowerCase()) !== value.toLowerCase();
    });
    if (!setCookie?.startsWith(`${name}=`) || missing.length > 0) {
      throw new ExpectationError(
        `expected the first answer to set cookie ${name} with ${attributes}; it set ${setCookie ?? 'no such cookie'}${missing.length > 0 ? ` (missing ${missing.join(', ')})` : ''}`,
      );
    }
  },
);

Then(
  "the cookie's value names no backend's id, address or port, in clear or in base64",
  function (this: LbWorld) {
    const value = client(this).cookie ?? '';
    const revealed = namesRevealed(
      value,
      [...this.backends.values()].flatMap((backend) => [
        backend.id,
        backend.address,
        backend.address.split(':')[1] as string,
      ]),
    );
    if (value === '' || revealed.length > 0) {
      throw new ExpectationError(
        value === ''
          ? 'no affinity cookie was set'
          : `the cookie value ${value} gives away ${revealed.join(', ')}`,
      );
    }
  },
);

Then(
  'the requests after the change succeeded on one other backend, and the first of them replaced the cookie',
  function (this: LbWorld) {
    const state = client(this);
    const before = state.answers[0]?.backend;
    const after = state.answers.slice(state.mark);
    const landings = new Set(after.map((answer) => answer.backend));
    const [only] = landings;
    if (
      landings.size !== 1 ||
      only === before ||
      !this.backends.has(only as string) ||
      !after[0]?.setCookie
    ) {
      throw new ExpectationError(
        `after ${before} left, the client's requests went to ${after.map((answer) => answer.backend).join(' ')}, and the first ${after[0]?.setCookie ? 'set' : 'did not set'} a new cookie`,
      );
    }
  },
);

When(
  'a client sends {int} requests with each of these cookies, keeping none it is given:',
  async function (this: LbWorld, count: number, table: DataTable) {
    // A genuine value to tamper with.
    const genuine = await stickyRequest(this.listenerAddress, cookieName, undefined);
    const valid = genuine.setCookie ? cookieValueOf(genuine.setCookie) : '';
    const target = this.backend('b3');
    const values: Record<string, string | undefined> = {
      'no cookie': undefined,
      'a tampered value': valid.slice(0, -1) + (valid.endsWith('A') ? 'B' : 'A'),
      "b3's id": 'b3',
      "b3's address": target.address,
      "b3's address in base64": Buffer.from(target.address).toString('base64url'),
      'an unknown value': 'not-a-cookie-this-balancer-made',
    };
    const forged: { label: string; answers: StickyAnswer[] }[] = [];
    sticky(this).forgedCookies = forged;
    for (const [label] of table.raw()) {
      if (!Object.hasOwn(values, label as string))
        throw new Error(`no forged cookie called "${label}"; known: ${Object.keys(values).join(', ')}`);
      const value = values[label as string];
      const got: StickyAnswer[] = [];
      for (let i = 0; i < count; i++) got.push(await stickyRequest(this.listenerAddress, cookieName, value));
      forged.push({ label: label as string, answers: got });
    }
  },
);

Then(
  'no cookie pinned the client to one backend, and every answer set a fresh cookie',
  function (this: LbWorld) {
    const wrong: string[] = [];
    for (const { label, answers: got } of sticky(this).forgedCookies ?? []) {
      // A balancer may place a request without a valid cookie at random: all on one backend then
      // happens by chance with this probability, which the request count must keep small.
      const chance = allOnOneProbability(this.backends.size, got.length);
      if (chance > defaultFalseFailure)
        throw new Error(
          `${got.length} requests a cookie are too few: a balancer that picks at random would put them all on one backend with probability ${chance.toExponential(1)}, above ${defaultFalseFailure}`,
        );
      const landings = new Set(got.map((answer) => answer.backend));
      const unreplaced = got.filter(
        (answer) => !answer.setCookie || cookieValueOf(answer.setCookie) === answer.sentCookie,
      );
      if (landings.size < 2 || unreplaced.length > 0)
        wrong.push(
          `${label}: reached ${got.map((answer) => answer.backend).join(' ')}; ${unreplaced.length} answers did not replace it`,
        );
    }
    if (wrong.length > 0)
      throw new ExpectationError(`forged cookies were honoured:\n  ${wrong.join('\n  ')}`);
  },
);

Then(
  'the requests took their turns in the rotation, each {int} in a row reaching {int} different backends',
  function (this: LbWorld, window: number, different: number) {
    if (window !== this.backends.size || different !== window)
      throw new Error(
        `a rotation over ${this.backends.size} backends reaches them all in ${this.backends.size} requests in a row`,
      );
    const order = (sticky(this).forgedCookies ?? []).flatMap(({ answers: got }) =>
      got.map((answer) => answer.backend),
    );
    for (let start = 0; start + window <= order.length; start++) {
      const run = order.slice(start, start + window);
      if (new Set(run).size !== different)
        throw new ExpectationError(
          `requests without a valid cookie did not take turns: requests ${start + 1} to ${start + window} reached ${run.join(' ')} (all in order: ${order.join(' ')})`,
        );
    }
  },
);

Then(
  "the first answer's cookie has none of the attributes {string}",
  function (this: LbWorld, names: string) {
    const setCookie = answers(this)[0]?.setCookie ?? '';
    const present = cookieAttributes(setCookie);
    const unwanted = names.split(', ').filter((name) => present.has(name.toLowerCase()));
    if (unwanted.length > 0)
      throw new ExpectationError(`the first answer set ${setCookie}, with ${unwanted.join(', ')}`);
  },
);
