import { Given, Then, When } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import { mostlyToFirst, roundRobinOver } from '../harness/clients/fleet.ts';
import {
  type LimitedAnswer,
  type LimitedRun,
  refusalProblems,
  sendLimited,
} from '../harness/clients/limits.ts';
import { wallClockMs } from '../harness/clients/traffic.ts';
import type { RateLimitDocument } from '../harness/spec/config-document.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import schema from '../schema/config.v1.schema.json' with { type: 'json' };
import { headersOf, limited } from './support/limited-runs.ts';
import { sharedStore } from './support/shared-store.ts';
import type { LbWorld } from './support/world.ts';

const defaultStoreTimeoutMs = schema.$defs.rateLimit.properties.store.properties.timeoutMs.default;

Given(
  'a balancer with an HTTP listener using round_robin over all backends, with this rate limit in the shared store:',
  async function (this: LbWorld, text: string) {
    const given = JSON.parse(text) as RateLimitDocument & { store?: object };
    const store = { ...given.store, type: 'redis' as const, address: sharedStore(this).address };
    await this.startBalancer(
      'http',
      'round_robin',
      [...this.backends.keys()].map((id) => ({ id })),
      {},
      { rateLimit: { ...given, store } },
    );
  },
);

const spreads = {
  'round robin over the fleet': roundRobinOver,
  'most of them to the first instance': mostlyToFirst,
} as const;

async function sendSpread(
  world: LbWorld,
  from: string,
  header: string | undefined,
  count: string,
  spread: string,
) {
  const to = spreads[spread as keyof typeof spreads](world.balancer.fleetListenerAddresses);
  limited(world).runs.push(await sendLimited(to, from, headersOf(header), Number(count)));
}

// One definition per form, not an optional group (see limits.steps.ts).
When(
  /^the client at ([\d.]+) sends (\d+) requests one after another, (round robin over the fleet|most of them to the first instance)$/,
  async function (this: LbWorld, from: string, count: string, spread: string) {
    await sendSpread(this, from, undefined, count, spread);
  },
);

When(
  /^the client at ([\d.]+) with header "([^"]+)" sends (\d+) requests one after another, (round robin over the fleet|most of them to the first instance)$/,
  async function (this: LbWorld, from: string, header: string, count: string, spread: string) {
    await sendSpread(this, from, header, count, spread);
  },
);

When(
  '{int} clients send {int} requests each at once, round robin over the fleet',
  async function (this: LbWorld, clients: number, count: number) {
    const addresses = this.balancer.fleetListenerAddresses;
    const runs = await Promise.all(
      Array.from({ length: clients }, (_, client) =>
        // Each client starts at another instance, so every instance has requests at every moment.
        sendLimited(
          (index) => addresses[(client + index) % addresses.length] as string,
          `127.0.0.${client + 2}`,
          [],
          count,
        ),
      ),
    );
    limited(this).runs.push(...runs);
  },
);

function lastRun(world: LbWorld): LimitedRun {
  const run = limited(world).runs.at(-1);
  if (!run) throw new Error('no client sent rate-limited requests in this scenario');
  return run;
}

function rateLimitOf(world: LbWorld): RateLimitDocument & { store?: { timeoutMs?: number } } {
  const limit = world.balancer.runningConfig.listeners[0]?.rateLimit;
  if (!limit) throw new Error('the balancer has no rate limit');
  return limit;
}

Then('every instance refused some of them, with the same RateLimit-Policy', function (this: LbWorld) {
  const refused = lastRun(this).answers.filter((answer) => answer.status === 429);
  const silent = this.balancer.fleetListenerAddresses.filter(
    (address) => !refused.some((a) => a.via === address),
  );
  const policies = new Set(refused.map((answer) => answer.headers['ratelimit-policy']));
  const wrong = [
    ...(silent.length > 0 ? [`no refusal came from ${silent.join(', ')}`] : []),
    ...(policies.size > 1 ? [`the instances sent different policies: ${[...policies].join(' | ')}`] : []),
  ];
  if (wrong.length > 0)
    throw new ExpectationError(`the fleet did not refuse as one:\n  ${wrong.join('\n  ')}`);
});

Then(
  'at least {int} requests passed, and no more than {int} and what refilled while they were sent',
  function (this: LbWorld, atLeast: number, capacity: number) {
    const answers = limited(this).runs.flatMap((run) => run.answers);
    const { refillPerSecond } = rateLimitOf(this);
    const startMs = Math.min(...answers.map((answer) => answer.sentAtMs));
    const endMs = Math.max(...answers.map((answer) => answer.sentAtMs + answer.durationMs));
    // Every take happened between the first request's sending and the last answer's arrival.
    const spanSeconds = (endMs - startMs) / 1000;
    const atMost = Math.floor(capacity + spanSeconds * refillPerSecond);
    const passed = answers.filter((answer) => answer.status === 200).length;
    const badRefusals = answers.filter(
      (answer) => answer.status !== 200 && refusalProblems(answer).length > 0,
    );
    const wrong = [
      ...(passed < atLeast ? [`${passed} passed: a bucket of ${atLeast} refused before it was empty`] : []),
      ...(passed > atMost
        ? [
            `${passed} passed, more than ${capacity} + ${(spanSeconds * refillPerSecond).toFixed(1)} refilled in ${spanSeconds.toFixed(2)} s: the instances did not share one bucket`,
          ]
        : []),
      ...badRefusals
        .slice(0, 3)
        .map((answer) => `a refusal from ${answer.via}: ${refusalProblems(answer).join(', ')}`),
    ];
    if (wrong.length > 0)
      throw new ExpectationError(
        `of ${answers.length} requests sent at once over the fleet:\n  ${wrong.join('\n  ')}`,
      );
  },
);

/** The answers of the last run that took longer than the store's timeout allows (with the timing slack). */
function slowerThanTimeout(world: LbWorld, answers: readonly LimitedAnswer[]): string[] {
  const timeoutMs = rateLimitOf(world).store?.timeoutMs ?? defaultStoreTimeoutMs;
  const allowedMs = timeoutMs + timeouts.timingSlackMs;
  return answers
    .filter((answer) => answer.durationMs > allowedMs)
    .map(
      (answer) =>
        `an answer from ${answer.via} took ${Math.round(answer.durationMs)} ms, more than the store's timeout of ${timeoutMs} ms + ${timeouts.timingSlackMs} ms slack`,
    );
}

Then("all its requests passed, each within the store's timeout", function (this: LbWorld) {
  const { answers, from } = lastRun(this);
  const wrong = [
    ...answers
      .filter((answer) => answer.status !== 200)
      .map((answer) => `${answer.via} answered ${answer.status}: ${answer.body.trim()}`),
    ...slowerThanTimeout(this, answers),
  ];
  if (wrong.length > 0)
    throw new ExpectationError(
      `with the store failing and the limit failing open, the requests from ${from} should pass in time:\n  ${wrong.join('\n  ')}`,
    );
});

Then(
  "all its requests were refused with 503, Retry-After and a reason, each within the store's timeout",
  function (this: LbWorld) {
    const { answers, from } = lastRun(this);
    const wrong = [
      ...answers.flatMap((answer) => {
        const problems = [
          ...(answer.status === 503 ? [] : [`status ${answer.status}`]),
          ...(/^[1-9]\d*$/.test(answer.headers['retry-after'] ?? '') ? [] : ['no Retry-After']),
          ...(answer.body.trim() === '' ? ['no body saying why'] : []),
        ];
        return problems.length === 0 ? [] : [`${answer.via}: ${problems.join(', ')}`];
      }),
      ...slowerThanTimeout(this, answers),
    ];
    if (wrong.length > 0)
      throw new ExpectationError(
        `with the store down and the limit failing closed, the requests from ${from} should be refused in time:\n  ${wrong.join('\n  ')}`,
      );
  },
);

// Clients new to the limit, one per try: a try made while the store came back may spend tokens,
// and the next must start with a full bucket.
const freshClients = (attempt: number) => `127.0.1.${(attempt % 250) + 2}`;

Then(
  'within {int} seconds a client new to the limit is limited again: of {int} requests round robin over the fleet, the first {int} pass',
  async function (this: LbWorld, seconds: number, count: number, capacity: number) {
    const to = roundRobinOver(this.balancer.fleetListenerAddresses);
    const deadlineMs = wallClockMs() + seconds * 1000;
    const tries: LimitedRun[] = [];
    for (let attempt = 0; wallClockMs() < deadlineMs; attempt++) {
      const run = await sendLimited(to, freshClients(attempt), [], count);
      tries.push(run);
      const statuses = run.answers.map((answer) => answer.status);
      const limitedAsConfigured = statuses.every(
        (status, index) => status === (index < capacity ? 200 : 429),
      );
      if (limitedAsConfigured) {
        limited(this).runs.push(...tries);
        return;
      }
    }
    limited(this).runs.push(...tries);
    const last = tries
      .at(-1)
      ?.answers.map((answer) => answer.status)
      .join(' ');
    throw new ExpectationError(
      `the store answers again, but in ${seconds} s no run of ${count} requests had its first ${capacity} passed and the rest refused with 429 (${tries.length} tries, the last: ${last})`,
    );
  },
);
