import { Given, Then, When } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import {
  floodWithKeys,
  type LimitedAnswer,
  limitedRequest,
  refusalProblems,
  sendLimited,
  upgradeStatus,
} from '../harness/clients/limits.ts';
import { wallClockMs } from '../harness/clients/traffic.ts';
import { measureGrowth } from '../harness/processes/memory.ts';
import { rateLimitChart } from '../harness/report/scenario-charts.ts';
import type { RateLimitDocument } from '../harness/spec/config-document.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { pollUntil } from '../harness/timing/waiting.ts';
import { measuredBy } from './support/diagnosis.ts';
import { headersOf, limited } from './support/limited-runs.ts';
import { skippedUnlessMeasured } from './support/memory-bound.ts';
import type { LbWorld } from './support/world.ts';

measuredBy((world) => {
  const { runs, upgradeStatuses, keyFlood, refillPolls } = limited(world);
  return {
    limitedRuns: runs.map((run) => ({ ...run, answers: [...run.answers, ...(refillPolls.get(run) ?? [])] })),
    upgradeStatuses,
    ...(keyFlood && 'grewBytes' in keyFlood.memory
      ? {
          keyFlood: {
            count: keyFlood.flood.count,
            keyBytes: keyFlood.flood.keyBytes,
            grewBytes: keyFlood.memory.grewBytes,
          },
        }
      : {}),
  };
});

Given(
  'a balancer with an HTTP listener using round_robin over all backends, with this rate limit:',
  async function (this: LbWorld, text: string) {
    const rateLimit = JSON.parse(text) as RateLimitDocument;
    await this.startBalancer(
      'http',
      'round_robin',
      [...this.backends.keys()].map((id) => ({ id })),
      {},
      { rateLimit },
    );
  },
);

// One definition per form, not optional groups: a group that matched nothing shows the step's text
// twice in cucumber.html.
async function sendFrom(
  world: LbWorld,
  from: string,
  count: number,
  { header, path = '/' }: { header?: string; path?: string },
): Promise<void> {
  limited(world).runs.push(await sendLimited(world.listenerAddress, from, headersOf(header), count, path));
}

When(
  'the client at {word} sends {int} requests one after another',
  async function (this: LbWorld, from: string, count: number) {
    await sendFrom(this, from, count, {});
  },
);

When(
  'the client at {word} with header {string} sends {int} requests one after another',
  async function (this: LbWorld, from: string, header: string, count: number) {
    await sendFrom(this, from, count, { header });
  },
);

When(
  'the client at {word} sends {int} requests for {string} one after another',
  async function (this: LbWorld, from: string, count: number, path: string) {
    await sendFrom(this, from, count, { path });
  },
);

/** Records a client's accepted and refused requests against its bucket (replacing an earlier chart of it). */
function chartBucket(
  world: LbWorld,
  client: string,
  answers: readonly LimitedAnswer[],
  capacity: number,
  refillPerSecond: number,
): void {
  const outcomes = answers.map((answer) => ({ sentAtMs: answer.sentAtMs, passed: answer.status === 200 }));
  const chart = rateLimitChart(client, outcomes, capacity, refillPerSecond);
  if (!chart) return;
  world.charts.record(chart);
}

function lastRun(world: LbWorld) {
  const run = limited(world).runs.at(-1);
  if (!run) throw new Error('no client sent rate-limited requests in this scenario');
  return run;
}

/** The rate limit (the listener's, else its first route's), with the shape an override gives `key`. */
function shapeFor(world: LbWorld, key: string | undefined): { capacity: number; refillPerSecond: number } {
  const listener = world.balancer.config?.listeners[0];
  const limit = listener?.rateLimit ?? listener?.routes?.find((route) => route.rateLimit)?.rateLimit;
  if (!limit) throw new Error('the balancer has no rate limit');
  return limit.overrides?.find((override) => override.key === key) ?? limit;
}

Then(
  /^its first (\d+) requests? passed, and the rest were refused with 429, Retry-After, the RateLimit headers and a reason$/,
  function (this: LbWorld, count: string) {
    const run = lastRun(this);
    const capacity = Number(count);
    const { refillPerSecond } = shapeFor(this, run.headers[0]?.[1]);
    chartBucket(this, run.from, run.answers, capacity, refillPerSecond);
    const first = run.answers[0] as LimitedAnswer;
    const last = run.answers.at(-1) as LimitedAnswer;
    // Tokens refilled while the requests went out may let a few more through, never more.
    const spanSeconds = (last.sentAtMs + last.durationMs - first.sentAtMs) / 1000;
    const extra = Math.floor(spanSeconds * refillPerSecond);
    const passed = run.answers.filter((answer) => answer.status === 200).length;
    const wrong: string[] = [];
    run.answers.slice(0, capacity).forEach((answer, i) => {
      if (answer.status !== 200) wrong.push(`request ${i + 1} got ${answer.status}: ${answer.body.trim()}`);
    });
    if (passed > capacity + extra)
      wrong.push(
        `${passed} passed, more than ${capacity} + ${extra} refilled in ${spanSeconds.toFixed(2)} s`,
      );
    for (const [i, answer] of run.answers.entries()) {
      if (answer.status !== 200) {
        const problems = refusalProblems(answer);
        if (problems.length > 0) wrong.push(`request ${i + 1}: ${problems.join(', ')}`);
      }
    }
    if (passed === run.answers.length) wrong.push(`all ${passed} passed`);
    if (wrong.length > 0)
      throw new ExpectationError(
        `the client at ${run.from} was not limited as configured:\n  ${wrong.join('\n  ')}`,
      );
  },
);

Then('all its requests passed', function (this: LbWorld) {
  const run = lastRun(this);
  const refused = run.answers.filter((answer) => answer.status !== 200);
  if (refused.length > 0) {
    throw new ExpectationError(
      `${refused.length} of ${run.answers.length} requests from ${run.from} were refused (${refused[0]?.status}: ${refused[0]?.body.trim()})`,
    );
  }
});

Then(
  'one more request from it passes once a token has refilled, and not sooner',
  async function (this: LbWorld) {
    const run = lastRun(this);
    const { capacity, refillPerSecond } = shapeFor(this, run.headers[0]?.[1]);
    const first = run.answers[0] as LimitedAnswer;
    const tokenAtMs = first.sentAtMs + 1000 / refillPerSecond;
    let last: LimitedAnswer | undefined;
    const polled: LimitedAnswer[] = [];
    const passed = await pollUntil(
      async () => {
        last = await limitedRequest(this.listenerAddress, run.from, run.headers, run.path);
        polled.push(last);
        return last.status === 200 ? last : undefined;
      },
      {
        what: `a request from ${run.from} to pass again`,
        timeoutMs: Math.max(0, tokenAtMs + timeouts.timingSlackMs - wallClockMs()),
      },
    )
      .catch(() => {
        throw new ExpectationError(
          `no request passed within ${Math.round(1000 / refillPerSecond)} ms + ${timeouts.timingSlackMs} ms slack of the first: the bucket did not refill (last answer ${last?.status}, Retry-After ${last?.headers['retry-after']})`,
        );
      })
      .finally(() => {
        chartBucket(this, run.from, [...run.answers, ...polled], capacity, refillPerSecond);
        limited(this).refillPolls.set(run, polled);
      });
    if (passed.sentAtMs + passed.durationMs < tokenAtMs) {
      throw new ExpectationError(
        `a request passed ${Math.round(tokenAtMs - passed.sentAtMs - passed.durationMs)} ms before a token could have refilled (${refillPerSecond} per second)`,
      );
    }
  },
);

Then(/^a request from it without the header is refused with 401$/, async function (this: LbWorld) {
  const run = lastRun(this);
  const answer = await limitedRequest(this.listenerAddress, run.from, []);
  if (answer.status !== 401)
    throw new ExpectationError(
      `expected 401 without an API key, got ${answer.status}: ${answer.body.trim()}`,
    );
});

When(
  '{int} requests each carry an API key of their own in header {string}, {int} bytes long',
  async function (this: LbWorld, count: number, header: string, keyBytes: number) {
    // A first thousand keys warms the balancer up (code compiled, buffers allocated), so what is
    // measured is what the number of keys costs.
    await floodWithKeys(this.listenerAddress, header, 1_000, keyBytes, count);
    const { result, memory } = await measureGrowth(this.balancer.started?.pid, () =>
      floodWithKeys(this.listenerAddress, header, count, keyBytes),
    );
    limited(this).keyFlood = { flood: result, memory };
  },
);

Then(
  "each was answered, and the balancer's memory grew by less than half the bytes of the keys",
  function (this: LbWorld) {
    const sent = limited(this).keyFlood;
    if (!sent) throw new Error('no flood of keys was sent in this scenario');
    const { flood, memory } = sent;
    const answered = [...flood.outcomes].filter(([outcome]) => outcome === '200' || outcome === '429');
    const unanswered = flood.count - answered.reduce((sum, [, n]) => sum + n, 0);
    if (unanswered > 0) {
      throw new ExpectationError(
        `${unanswered} of ${flood.count} requests got neither 200 nor 429: ${[...flood.outcomes].map(([o, n]) => `${o} x${n}`).join(', ')}`,
      );
    }
    if ('unmeasurable' in memory) return skippedUnlessMeasured(this, memory);
    const keyBytes = flood.count * flood.keyBytes;
    if (memory.grewBytes >= keyBytes / 2) {
      throw new ExpectationError(
        `while ${flood.count} keys of ${flood.keyBytes} bytes (${(keyBytes / 2 ** 20).toFixed(0)} MiB in all) came in, the balancer's resident memory peaked ${(memory.grewBytes / 2 ** 20).toFixed(1)} MiB above where it began; a table bounded by maxKeys keeps far less than half of them`,
      );
    }
  },
);

When(
  /^the client at ([\d.]+) asks for (\d+) WebSocket upgrades one after another$/,
  async function (this: LbWorld, from: string, count: string) {
    const statuses: number[] = [];
    for (let i = 0; i < Number(count); i++) statuses.push(await upgradeStatus(this.listenerAddress, from));
    limited(this).upgradeStatuses = statuses;
  },
);

Then(
  'its first {int} upgrades were switched to WebSocket, and the rest refused with 429',
  function (this: LbWorld, switched: number) {
    const statuses = limited(this).upgradeStatuses;
    const expected = statuses.map((_, i) => (i < switched ? 101 : 429));
    if (statuses.length === 0 || statuses.join() !== expected.join()) {
      throw new ExpectationError(
        `the upgrades were answered ${statuses.join(', ')}; expected ${expected.join(', ')}: an upgrade spends a token like any request`,
      );
    }
  },
);

Then('the backends received only the requests that passed', async function (this: LbWorld) {
  const passed = limited(this)
    .runs.flatMap((run) => run.answers)
    .filter((answer) => answer.status === 200).length;
  const received = [...(await this.backends.receivedCounts()).values()].reduce(
    (sum, count) => sum + count,
    0,
  );
  if (received !== passed)
    throw new ExpectationError(`${passed} requests passed the limit, but the backends received ${received}`);
});
