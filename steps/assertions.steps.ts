import { Then } from '@cucumber/cucumber';
import {
  countByBackend,
  ExpectationError,
  expectAllSucceeded,
  expectAtLeast,
  expectDurationsWithin,
  expectExactShare,
  expectFailureCount,
  expectFailuresVisible,
  expectHeldInProportion,
  expectOutThenBack,
  expectRefusals,
  expectRotation,
  expectSmooth,
  expectStatusCount,
  expectWindowsInProportion,
} from '../harness/checks/expectations.ts';
import { expectNoArrivalBeforeRise } from '../harness/checks/health-rise.ts';
import { clientValuesPassedOn } from '../harness/checks/hop-by-hop.ts';
import {
  arrivalsByRequest,
  backoffCap,
  expectFullJitterBackoff,
  expectRetriesWithinBudget,
  expectRuns,
  expectTrialsOnly,
  waitsBefore,
} from '../harness/checks/resilience-checks.ts';
import { assertShares, checkShares } from '../harness/checks/statistics.ts';
import { sendLoad } from '../harness/clients/traffic.ts';
import type { Measurements } from '../harness/mistakes/measurements.ts';
import { backoffChart } from '../harness/report/scenario-charts.ts';
import { healthCheckDefaults } from '../harness/spec/config-document.ts';
import { failedChecksBound, passedChecksBound, takenOutBound } from '../harness/timing/health-timing.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { untilWallClock } from '../harness/timing/waiting.ts';
import { measuredBy } from './support/diagnosis.ts';
import { heldBackendIds } from './support/in-flight.ts';
import { backendEcho, rawRequestHeaders } from './support/raw-exchange.ts';
import { settleOn } from './support/settling.ts';
import { topicState } from './support/topic-state.ts';
import type { LbWorld } from './support/world.ts';

Then('every request succeeded', async function (this: LbWorld) {
  // A request sent again after its keep-alive connection closed must not have arrived the first time.
  const cut = await this.backends.arrivalsOf(this.traffic.resentRequestIds());
  if (cut.length > 0) {
    throw new ExpectationError(
      `${cut.length} requests lost their connection before an answer although the balancer had forwarded them (a client sent them again):\n  ${cut.slice(0, 10).join('\n  ')}`,
    );
  }
  expectAllSucceeded(this.traffic.exchanges);
});

async function expectEachReceived(world: LbWorld, ids: readonly string[], expected: number): Promise<void> {
  const counts = await world.backends.receivedCounts(ids);
  world.charts.exactCounts(counts, expected);
  expectExactShare(counts, onlyThese(countByBackend(world.traffic.exchanges, ids), ids), expected);
}

Then('each backend received exactly {int} requests', async function (this: LbWorld, expected: number) {
  await expectEachReceived(this, [...this.backends.keys()], expected);
});

Then(
  'each backend of the pool received exactly {int} requests',
  async function (this: LbWorld, expected: number) {
    await expectEachReceived(this, [...this.poolWeights.keys()], expected);
  },
);

Then(
  'backends {ids} each received exactly {int} requests',
  async function (this: LbWorld, ids: string[], expected: number) {
    const counts = await this.backends.receivedCounts(ids);
    this.charts.exactCounts(counts, expected);
    expectExactShare(counts, onlyThese(countByBackend(this.traffic.exchanges, ids), ids), expected);
  },
);

Then('backend {word} received no requests', async function (this: LbWorld, id: string) {
  expectExactShare(
    await this.backends.receivedCounts([id]),
    onlyThese(countByBackend(this.traffic.exchanges, [id]), [id]),
    0,
  );
});

Then('the requests were answered in rotation in the order {ids}', function (this: LbWorld, order: string[]) {
  expectRotation(
    this.traffic.exchanges.map((exchange) => exchange.backendId),
    order,
  );
});

Then('every request was answered by a running backend or failed visibly', function (this: LbWorld) {
  expectFailuresVisible(this.traffic.exchanges, this.backends.runningIds());
});

Then(
  'each running backend received at least {int} requests',
  async function (this: LbWorld, minimum: number) {
    const running = [...this.backends.runningIds()];
    expectAtLeast(await this.backends.receivedCounts(running), running, minimum);
  },
);

Then(
  'the TCP client received all bytes back in order and then the end of the stream',
  function (this: LbWorld) {
    const conversation = this.traffic.tcpConversation;
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

Then(
  'every run of consecutive requests as long as the total weight was answered in proportion to the weights',
  function (this: LbWorld) {
    expectWindowsInProportion(
      this.traffic.exchanges.map((exchange) => exchange.backendId),
      this.poolWeights,
    );
  },
);

Then(
  'no backend strayed more than {float} requests from its ideal share over any run of consecutive requests',
  function (this: LbWorld, bound: number) {
    expectSmooth(
      this.traffic.exchanges.map((exchange) => exchange.backendId),
      this.poolWeights,
      bound,
    );
  },
);

Then('the backends holding requests received none of the new requests', async function (this: LbWorld) {
  const busy = [...new Set(heldBackendIds(this))];
  expectExactShare(
    await this.backends.receivedCounts(busy),
    onlyThese(countByBackend(this.traffic.exchanges, busy), busy),
    0,
  );
});

Then('the held requests are on the backends in proportion to their weights', function (this: LbWorld) {
  expectHeldInProportion(heldBackendIds(this), this.poolWeights);
});

Then('the held requests are on {int} different backends', function (this: LbWorld, expected: number) {
  const distinct = new Set(heldBackendIds(this));
  if (distinct.size !== expected) {
    throw new ExpectationError(
      `expected the held requests on ${expected} different backends, found them on ${distinct.size}: ${heldBackendIds(this).join(', ')}`,
    );
  }
});

Then(
  'backend {word} received fewer than half as many requests as any other backend',
  async function (this: LbWorld, slow: string) {
    const counts = await this.backends.receivedCounts();
    const slowCount = counts.get(slow) ?? 0;
    const others = [...counts].filter(([id]) => id !== slow);
    if (others.some(([, count]) => slowCount * 2 >= count)) {
      throw new ExpectationError(
        `expected ${slow} to receive fewer than half as many requests as each other backend: ${[...counts].map(([id, count]) => `${id} ${count}`).join(', ')}`,
      );
    }
  },
);

Then(
  'backend {word} was out of rotation for at least {int} requests in a row, and back in it afterwards',
  function (this: LbWorld, id: string, minimum: number) {
    const recent = this.traffic.exchanges.slice(this.traffic.mark);
    expectOutThenBack(
      recent.map((exchange) => exchange.backendId),
      id,
      minimum,
    );
  },
);

Then(
  'backend {word} answered at least {int} of those requests',
  function (this: LbWorld, id: string, minimum: number) {
    const answered = this.traffic.exchanges
      .slice(this.traffic.mark)
      .filter((exchange) => exchange.backendId === id).length;
    if (answered < minimum) {
      throw new ExpectationError(
        `expected ${id} to answer at least ${minimum} of those requests, it answered ${answered}`,
      );
    }
  },
);

Then('those requests all reached one backend', function (this: LbWorld) {
  const recent = this.traffic.exchanges.slice(this.traffic.mark);
  const reached = new Set(recent.map((exchange) => exchange.backendId ?? `(error: ${exchange.error})`));
  if (recent.length === 0 || reached.size !== 1) {
    throw new ExpectationError(
      `expected the ${recent.length} requests to reach one backend, they reached ${[...reached].join(', ')}`,
    );
  }
});

Then(
  'no backend had more than {int} requests in flight at once',
  async function (this: LbWorld, bound: number) {
    const peaks = await Promise.all(
      [...this.backends.keys()].map(async (id) => [id, await this.backends.peakInFlight(id)] as const),
    );
    if (peaks.some(([, peak]) => peak > bound)) {
      throw new ExpectationError(
        `expected at most ${bound} requests in flight on any backend at once, peaks were: ${peaks.map(([id, peak]) => `${id} ${peak}`).join(', ')}`,
      );
    }
  },
);

Then(
  'the requests were spread uniformly over the backends holding none, and none reached the others',
  async function (this: LbWorld) {
    const busy = new Set(heldBackendIds(this));
    const counts = await this.backends.receivedCounts();
    const idle = [...this.poolWeights.keys()].filter((id) => !busy.has(id));
    expectExactShare(
      new Map([...busy].map((id) => [id, counts.get(id) ?? 0])),
      onlyThese(countByBackend(this.traffic.exchanges, [...busy]), [...busy]),
      0,
    );
    const check = checkShares(
      new Map(idle.map((id) => [id, counts.get(id) ?? 0])),
      new Map(idle.map((id) => [id, 1 / idle.length])),
    );
    this.charts.shares(check);
    assertShares(check);
  },
);

Then('the requests were spread uniformly over the backends', async function (this: LbWorld) {
  const ids = [...this.poolWeights.keys()];
  const check = checkShares(
    await this.backends.receivedCounts(ids),
    new Map(ids.map((id) => [id, 1 / ids.length])),
  );
  this.charts.shares(check);
  assertShares(check);
});

Then(
  'within {int} failed check(s) the balancer sends requests only to {ids}',
  async function (this: LbWorld, checks: number, ids: string[]) {
    await settleOn(
      this,
      { kind: 'backends', ids: new Set(ids) },
      failedChecksBound(this.healthCheckTiming, checks),
    );
  },
);

Then(
  'within {int} failed check(s) the balancer answers every request with status {int}',
  async function (this: LbWorld, checks: number, status: number) {
    await settleOn(this, { kind: 'status', status }, failedChecksBound(this.healthCheckTiming, checks));
  },
);

Then(
  'after {int} passed check(s), and not sooner, the balancer sends requests only to {ids}',
  async function (this: LbWorld, checks: number, ids: string[]) {
    const expected = this.mainPool.healthCheck?.expectedStatuses ?? healthCheckDefaults.expectedStatuses;
    const passes = (status: number) => expected.includes(status);
    await settleOn(
      this,
      { kind: 'backends', ids: new Set(ids) },
      passedChecksBound(this.healthCheckTiming, checks),
      async (newcomers, mark) => {
        for (const id of newcomers) {
          const backend = this.backend(id);
          const [arrivals, { answers }] = await Promise.all([backend.arrivals(), backend.healthLog()]);
          expectNoArrivalBeforeRise(id, arrivals, answers, mark.beforeMs, checks, passes);
        }
      },
    );
  },
);

Then('every request after that succeeded', function (this: LbWorld) {
  expectAllSucceeded(this.traffic.exchanges.slice(this.traffic.settledIndex));
});

Then(
  'every request after that was answered at once with status 503, a Retry-After and a body',
  function (this: LbWorld) {
    expectRefusals(this.traffic.exchanges.slice(this.traffic.settledIndex), 503, timeouts.timingSlackMs);
  },
);

Then('no backend received any request', async function (this: LbWorld) {
  const counts = await this.backends.receivedCounts([...this.backends.runningIds()]);
  const reached = [...counts].filter(([, count]) => count > 0);
  if (reached.length > 0) {
    throw new ExpectationError(
      `expected no backend to receive a request, but ${reached.map(([id, count]) => `${id} received ${count}`).join(', ')}`,
    );
  }
});

Then(
  'backend {word} received its requests in runs of {int}, separated by ejections of {durations}',
  async function (this: LbWorld, id: string, runLength: number, ejectionsMs: number[]) {
    const runLengths = Array.from({ length: ejectionsMs.length + 1 }, () => runLength);
    expectRuns(await this.backend(id).arrivals(), runLengths, ejectionsMs, timeouts.timingSlackMs);
  },
);

Then(
  'the last {int} requests were answered by exactly {int} backends',
  function (this: LbWorld, count: number, backends: number) {
    const last = this.traffic.exchanges.slice(-count);
    const answering = new Set(last.map((exchange) => exchange.backendId ?? '(the balancer itself)'));
    if (answering.size !== backends || last.length < count) {
      throw new ExpectationError(
        `expected the last ${count} requests to be answered by exactly ${backends} backends, they were answered by ${[...answering].join(', ')}`,
      );
    }
  },
);

Then(
  'exactly {int} requests were answered with status {int}',
  function (this: LbWorld, count: number, status: number) {
    expectStatusCount(this.traffic.exchanges, status, count);
  },
);

// A failure is an error status or no answer at all: a proxy may close the client's connection
// rather than answer 502 (HAProxy does when a request fails on a reused server connection).
Then('exactly {int} requests failed', function (this: LbWorld, count: number) {
  expectFailureCount(this.traffic.exchanges, count);
});

Then('every request was answered with status {int}', function (this: LbWorld, status: number) {
  expectStatusCount(this.traffic.exchanges, status, this.traffic.exchanges.length);
});

Then(
  'exactly {int} requests were answered with status {int}, each within the {word} timeout',
  function (this: LbWorld, count: number, status: number, phase: string) {
    const key = ({ connect: 'connectMs', response: 'responseMs' } as const)[phase as 'connect' | 'response'];
    const limitMs = key === undefined ? undefined : this.mainPool.timeouts?.[key];
    if (limitMs === undefined)
      throw new Error(`the scenario's pool sets no ${phase} timeout (timeouts.${key ?? phase})`);
    expectStatusCount(this.traffic.exchanges, status, count);
    expectDurationsWithin(
      this.traffic.exchanges.filter((exchange) => exchange.status === status),
      limitMs,
      limitMs + timeouts.timingSlackMs,
    );
  },
);

Then('every request not answered with status {int} succeeded', function (this: LbWorld, status: number) {
  expectAllSucceeded(this.traffic.exchanges.filter((exchange) => exchange.status !== status));
});

Then('no request reached the same backend twice', async function (this: LbWorld) {
  const repeats: string[] = [];
  for (const id of this.backends.keys()) {
    const seen = new Set<string>();
    for (const arrival of await this.backend(id).arrivals()) {
      if (arrival.requestId === null) continue;
      if (seen.has(arrival.requestId)) repeats.push(`${arrival.requestId} on ${id}`);
      seen.add(arrival.requestId);
    }
  }
  if (repeats.length > 0) {
    throw new ExpectationError(
      `expected every retry on a backend the request had not tried, but these arrived twice: ${repeats.slice(0, 10).join(', ')}`,
    );
  }
});

Then(
  'the retries of every request waited as full-jitter exponential backoff allows',
  async function (this: LbWorld) {
    const retries = this.mainPool.retries;
    if (!retries) throw new Error("the scenario's pool has no retries");
    const [only] = this.backends.keys();
    const arrivals = await this.backend(only as string).arrivals();
    const policy = {
      attempts: retries.attempts,
      baseIntervalMs: retries.baseIntervalMs ?? 25,
      maxIntervalMs: retries.maxIntervalMs ?? 250,
    };
    const retryNumbers = Array.from({ length: policy.attempts }, (_, index) => index + 1);
    const byRequest = arrivalsByRequest(arrivals);
    const chart = backoffChart(
      retryNumbers.map((retry) => waitsBefore(retry, byRequest)),
      retryNumbers.map((retry) => backoffCap(retry, policy)),
    );
    this.charts.record(chart);
    expectFullJitterBackoff(arrivals, policy, timeouts.timingSlackMs);
  },
);

Then('the backends received no more retries than the budget allows', async function (this: LbWorld) {
  const budget = this.mainPool.retries?.budget;
  if (!budget) throw new Error("the scenario's pool has no retry budget");
  const counts = await this.backends.receivedCounts();
  const received = [...counts.values()].reduce((sum, count) => sum + count, 0);
  expectRetriesWithinBudget(
    this.traffic.exchanges.length,
    received,
    { percent: budget.percent, minRetries: budget.minRetries ?? 3 },
    this.traffic.lastSendMs,
  );
});

// By the backends' own counts only: answers a backend cut off never reach a client to be counted.
Then(
  'backend(s) {ids} (each )counted exactly {int} requests arriving',
  async function (this: LbWorld, ids: string[], expected: number) {
    const counts = await this.backends.receivedCounts(ids);
    expectExactShare(counts, counts, expected);
  },
);

// What a client of a second listener got, for the diagnosis of a failure.
const otherListener = topicState(() => ({ served: undefined as Measurements['otherListener'] }));

measuredBy((world) => {
  const { served } = otherListener(world);
  return served ? { otherListener: served } : {};
});

Then(
  'a client of listener {string} gets every answer, from each of {ids}',
  async function (this: LbWorld, name: string, ids: string[]) {
    const listener = this.config.listeners.find((candidate) => candidate.name === name);
    if (!listener) throw new Error(`no listener "${name}" in this scenario`);
    const check = listener.pool === undefined ? undefined : this.config.pools[listener.pool]?.healthCheck;
    // A balancer that let another pool's verdict, or another kind of check, decide this pool's
    // health shows it only once this pool's own checks would have taken a failing backend out.
    if (check && this.lastChange)
      await untilWallClock(this.lastChange.afterMs + takenOutBound(check).withinMs);
    const exchanges = await sendLoad(listener.address, listener.protocol, {
      clients: 1,
      perClient: 10 * ids.length,
    });
    const counts = countByBackend(exchanges, ids);
    otherListener(this).served = {
      expected: ids,
      reached: Object.fromEntries(counts),
      ...(check === undefined ? {} : { checkType: check.type ?? 'http' }),
    };
    expectAllSucceeded(exchanges);
    const missing = ids.filter((id) => (counts.get(id) ?? 0) === 0);
    const strangers = [...counts.keys()].filter((id) => !ids.includes(id) && (counts.get(id) ?? 0) > 0);
    if (missing.length > 0 || strangers.length > 0) {
      throw new ExpectationError(
        `expected listener "${name}" to spread its requests over ${ids.join(', ')}; answers came from: ${[...counts].map(([id, count]) => `${id} ${count}`).join(', ')}`,
      );
    }
  },
);

Then(
  'backend {word} received runs of {counts} requests, separated by (a )pause(s) of {durations}',
  async function (this: LbWorld, id: string, runLengths: number[], pausesMs: number[]) {
    const arrivals = await this.backend(id).arrivals();
    this.charts.breakerTimeline(id, arrivals, this.traffic.exchanges);
    expectRuns(arrivals, runLengths, pausesMs, timeouts.timingSlackMs);
  },
);

Then(
  'once its breaker had opened, backend {word} received {int} trial request(s) at a time, at least {int} ms apart',
  async function (this: LbWorld, id: string, trials: number, pauseMs: number) {
    const arrivals = await this.backend(id).arrivals();
    this.charts.breakerTimeline(id, arrivals, this.traffic.exchanges);
    expectTrialsOnly(arrivals, trials, pauseMs);
  },
);

Then(
  'exactly {int} requests were answered at once with status {int} and {word} {word}',
  function (this: LbWorld, count: number, status: number, header: string, value: string) {
    const name = header.replace(/:$/, '').toLowerCase();
    const matching = this.traffic.exchanges.filter((exchange) => exchange.status === status);
    expectStatusCount(this.traffic.exchanges, status, count);
    expectRefusals(matching, status, timeouts.timingSlackMs);
    const wrong = matching.filter((exchange) => exchange.headers?.[name] !== value);
    if (wrong.length > 0) {
      throw new ExpectationError(
        `expected every ${status} answer to carry ${name}: ${value}; ${wrong.length} did not (got ${wrong.map((e) => e.headers?.[name] ?? '(none)').join(', ')})`,
      );
    }
  },
);

Then(
  'backend {word} never had more than {int} request(s) in flight',
  async function (this: LbWorld, id: string, bound: number) {
    const peak = await this.backends.peakInFlight(id);
    if (peak > bound) {
      throw new ExpectationError(
        `expected at most ${bound} requests in flight on ${id} at once, its peak was ${peak}`,
      );
    }
  },
);

Then(
  /^the backend received header "([^"]+)" (as|ending with) "([^"]*)"$/,
  function (this: LbWorld, name: string, how: string, expected: string) {
    const received = backendEcho(this).headers[name.toLowerCase()];
    const value = Array.isArray(received) ? received.join(', ') : received;
    const fits =
      how === 'as' ? value === expected : value !== undefined && value.split(/,\s*/).at(-1) === expected;
    if (!fits) {
      throw new ExpectationError(
        `expected the backend to receive ${name} ${how} ${expected}, it received ${value === undefined ? 'no such header' : `${name}: ${value}`}; all it received: ${JSON.stringify(backendEcho(this).headers)}`,
      );
    }
  },
);

Then('the backend received none of the headers {string}', function (this: LbWorld, names: string) {
  const received = backendEcho(this).headers;
  const leaked = names.split(', ').filter((name) => received[name.toLowerCase()] !== undefined);
  if (leaked.length > 0) {
    throw new ExpectationError(
      `expected the balancer to keep these headers from the backend, but it received ${leaked.join(', ')}: ${JSON.stringify(received)}`,
    );
  }
});

Then("the backend received none of the client's values of {string}", function (this: LbWorld, names: string) {
  const received = backendEcho(this).headers;
  const passedOn = clientValuesPassedOn(rawRequestHeaders(this), received, names.split(', '));
  if (passedOn.length > 0) {
    throw new ExpectationError(
      `expected the balancer to keep the client's hop-by-hop values from the backend, but it passed on ${passedOn.join('; ')}: ${JSON.stringify(received)}`,
    );
  }
});

Then('the backend received the request target {string}', function (this: LbWorld, expected: string) {
  const { url } = backendEcho(this);
  if (url !== expected) {
    throw new ExpectationError(
      `expected the backend to receive the request target ${expected}, it received ${url}`,
    );
  }
});
