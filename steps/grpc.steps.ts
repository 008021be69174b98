import { Given, Then, When } from '@cucumber/cucumber';
import { status } from '@grpc/grpc-js';
import type { EchoRequest } from '../fixtures/backend/grpc-service.ts';
import { ExpectationError } from '../harness/checks/expectations.ts';
import { type CallOutcome, type GrpcChannel, openGrpcChannel } from '../harness/clients/grpc.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { pollUntil } from '../harness/timing/waiting.ts';
import { testPki } from '../harness/tls/test-pki.ts';
import { serverName, startTlsBalancer } from './support/tls-listener.ts';
import { topicState } from './support/topic-state.ts';
import type { LbWorld } from './support/world.ts';

// The last call a scenario made by hand, what it asked, and how it ended.
const lastCall = topicState(() => ({
  requestId: undefined as string | undefined,
  outcome: undefined as CallOutcome | undefined,
}));

Given('{int} gRPC backend(s)', async function (this: LbWorld, count: number) {
  await this.backends.start(
    'grpc',
    Array.from({ length: count }, (_, i) => `b${i + 1}`),
  );
});

Given(
  'a balancer with an HTTPS listener speaking HTTP\\/2 using {algorithm} over all backends, and HTTP\\/2 to them',
  async function (this: LbWorld, algorithm: string) {
    await startTlsBalancer(this, algorithm, {}, { http2: true }, { http2: true });
  },
);

/** One channel to the first listener: over TLS trusting the run's CA when it has TLS, else h2c. */
async function channelTo(world: LbWorld): Promise<GrpcChannel> {
  const tls = world.config.listeners[0]?.tls ? { caPem: (await testPki()).caPem, serverName } : undefined;
  return openGrpcChannel(world.listenerAddress, tls);
}

async function onOneChannel<T>(world: LbWorld, use: (channel: GrpcChannel) => Promise<T>): Promise<T> {
  const channel = await channelTo(world);
  try {
    return await use(channel);
  } finally {
    channel.close();
  }
}

When(
  'a client makes {int} gRPC calls on one channel, {int} at a time',
  async function (this: LbWorld, total: number, atOnce: number) {
    const exchanges = await onOneChannel(this, (channel) => channel.calls(total, atOnce, timeouts.requestMs));
    this.traffic.exchanges.push(...exchanges);
  },
);

When(
  'a client makes a gRPC call that the backend fails with status {int} and message {string}',
  async function (this: LbWorld, code: number, message: string) {
    await makeCall(this, 'failed-call', { failCode: code, failMessage: message }, timeouts.requestMs);
  },
);

When(
  'a client makes a gRPC call with a deadline of {int} ms that the backend would answer after {int} ms',
  async function (this: LbWorld, deadlineMs: number, delayMs: number) {
    await makeCall(this, 'call-past-its-deadline', { delayMs }, deadlineMs);
  },
);

When(
  'a client makes a gRPC call that the backend would answer after {int} ms, and cancels it after {int} ms',
  async function (this: LbWorld, delayMs: number, cancelAfterMs: number) {
    await makeCall(this, 'call-cancelled', { delayMs }, timeouts.requestMs, cancelAfterMs);
  },
);

async function makeCall(
  world: LbWorld,
  requestId: string,
  request: EchoRequest,
  deadlineMs: number,
  cancelAfterMs?: number,
): Promise<void> {
  lastCall(world).requestId = requestId;
  lastCall(world).outcome = await onOneChannel(world, (channel) =>
    channel.call({ requestId, ...request }, deadlineMs, cancelAfterMs),
  );
}

function madeCall(world: LbWorld): CallOutcome {
  const { outcome } = lastCall(world);
  if (!outcome) throw new Error('no gRPC call was made by hand in this scenario');
  return outcome;
}

Then(
  'the call ended with gRPC status {int} and message {string}',
  function (this: LbWorld, code: number, message: string) {
    const outcome = madeCall(this);
    if (outcome.code !== code || outcome.details !== message) {
      throw new ExpectationError(
        `expected the call to end with gRPC status ${code} (${status[code]}) and message ${JSON.stringify(message)}, it ended with ${outcome.code} (${status[outcome.code]}) and ${JSON.stringify(outcome.details)}`,
      );
    }
  },
);

Then("the call's trailers named the backend that answered it", function (this: LbWorld) {
  const outcome = madeCall(this);
  const named = outcome.trailers['x-backend-id'];
  if (named === undefined || ![...this.backends.keys()].includes(named)) {
    throw new ExpectationError(
      `expected the call's trailers to carry x-backend-id, as the backend sent them; the client got trailers ${JSON.stringify(outcome.trailers)}`,
    );
  }
});

Then('every call ended with gRPC status {int}', function (this: LbWorld, code: number) {
  const wrong = this.traffic.exchanges.filter(
    (exchange) => !exchange.note?.startsWith(`gRPC status ${code}`),
  );
  if (wrong.length > 0) {
    throw new ExpectationError(
      `expected every call to end with gRPC status ${code} (${status[code]}); ${wrong.length} of ${this.traffic.exchanges.length} did not, e.g. ${wrong[0]?.note}`,
    );
  }
});

Then(
  'the call ended with gRPC status {int} on the client, and the backend saw it cancelled before it answered, within {int} ms',
  async function (this: LbWorld, code: number, withinMs: number) {
    const { requestId, outcome } = lastCall(this);
    if (!outcome) throw new Error('no gRPC call was made by hand in this scenario');
    if (outcome.code !== code) {
      throw new ExpectationError(
        `expected the call to end with gRPC status ${code} (${status[code]}) on the client, it ended with ${outcome.code} (${status[outcome.code]}) ${JSON.stringify(outcome.details)}`,
      );
    }
    const backends = [...this.backends.values()];
    const cancelled = async () =>
      (await Promise.all(backends.map((backend) => backend.cancelledCalls())))
        .flat()
        .find((call) => call.requestId === requestId);
    const seen = await pollUntil(cancelled, {
      what: `${requestId} cancelled at a backend`,
      timeoutMs: withinMs,
    }).catch(() => undefined);
    if (!seen) {
      throw new ExpectationError(
        `expected the backend's call to be cancelled once the client's ended (its client reset the stream, so the balancer must reset the backend's), but no backend saw ${requestId} cancelled within ${withinMs} ms of it`,
      );
    }
  },
);
