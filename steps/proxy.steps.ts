import { type DataTable, Then, When } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import { echoIn } from '../harness/clients/raw-answers.ts';
import { awaitConnectionEnd, resetAfterGreeting, type TcpEnding } from '../harness/clients/tcp-resets.ts';
import { rawHttpRequest } from '../harness/clients/traffic.ts';
import {
  type ContinueOutcome,
  download,
  type Framing,
  requestsOnOneClient,
  sendExpectingContinue,
  type TransferOutcome,
  tcpEchoHeldBack,
  upload,
  type WebSocketOutcome,
  webSocketExchange,
} from '../harness/clients/transfers.ts';
import type { RelayMeasured } from '../harness/mistakes/measurements.ts';
import { type MemoryGrowth, measureGrowth, memorySettles } from '../harness/processes/memory.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { pollUntil } from '../harness/timing/waiting.ts';
import { measuredBy } from './support/diagnosis.ts';
import { expectGrowthBelow } from './support/memory-bound.ts';
import { recordProbe } from './support/probes.ts';
import { topicState } from './support/topic-state.ts';
import type { LbWorld } from './support/world.ts';

const proxied = topicState(() => ({
  /** The last request sent with Expect: 100-continue. */
  continueOutcome: undefined as ContinueOutcome | undefined,
  /** The last WebSocket exchange, and whether the backend spoke first in it. */
  webSocket: undefined as (WebSocketOutcome & { readonly greeted: boolean }) | undefined,
  /** The last run of requests on one keep-alive client. */
  keepAlive: undefined as Awaited<ReturnType<typeof requestsOnOneClient>> | undefined,
  /** How the last TCP client that waited for its connection to end saw it end. */
  tcpEnding: undefined as TcpEnding | undefined,
  /** The last large body transfer, and how the balancer's memory grew meanwhile. */
  transfer: undefined as Transfer | undefined,
  /** Whether the backend still held its connection once the client that held one through the balancer reset it. */
  backendOpenAfterClientReset: undefined as boolean | undefined,
}));

interface Transfer {
  readonly over: 'http' | 'tcp';
  readonly outcome: TransferOutcome;
  readonly memory: MemoryGrowth;
}

measuredBy((world) => {
  const { webSocket, transfer, tcpEnding, backendOpenAfterClientReset } = proxied(world);
  const conversation = world.traffic.tcpConversation;
  const relay: RelayMeasured = {
    ...(conversation && {
      halfClosed: {
        sentBytes: conversation.sent.length,
        echoedBytes: conversation.echoed.length,
        ended: conversation.ended,
      },
    }),
    ...(backendOpenAfterClientReset !== undefined && { backendOpenAfterClientReset }),
    ...(tcpEnding && { clientAfterBackendReset: tcpEnding }),
    ...(webSocket && {
      webSocket: { greeted: webSocket.greeted, opened: webSocket.opened, replies: webSocket.replies },
    }),
    ...(transfer && { transfer: transferMeasured(transfer) }),
  };
  return Object.keys(relay).length === 0 ? {} : { relay };
});

function transferMeasured({ over, outcome, memory }: Transfer): NonNullable<RelayMeasured['transfer']> {
  const { arrived } = outcome;
  const intact =
    !('error' in arrived) &&
    arrived.bytes === outcome.expectedBytes &&
    arrived.sha256 === outcome.expectedSha256;
  return {
    over,
    bytes: outcome.expectedBytes,
    intact,
    ...('grewBytes' in memory ? { grewBytes: memory.grewBytes } : {}),
  };
}

function lastTransfer(world: LbWorld): Transfer {
  const { transfer } = proxied(world);
  if (!transfer) throw new Error('no upload or download was made in this scenario');
  return transfer;
}

const mebibyte = 1024 * 1024;

When(
  /^a client (uploads|downloads) (\d+) MB (with a Content-Length|chunked)$/,
  async function (this: LbWorld, direction: string, megabytes: string, framingText: string) {
    const framing: Framing = framingText === 'chunked' ? 'chunked' : 'content-length';
    const transfer = direction === 'uploads' ? upload : download;
    const size = Number(megabytes) * mebibyte;
    // A first small transfer of the same kind warms the balancer up (code paths compiled, parsers
    // and buffers allocated), so what is measured is what the size of the body costs.
    await transfer(this.listenerAddress, mebibyte, framing);
    const { result, memory } = await measureGrowth(this.balancer.started?.pid, () =>
      transfer(this.listenerAddress, size, framing),
    );
    proxied(this).transfer = { over: 'http', outcome: result, memory };
  },
);

When(
  /^a client downloads (\d+) MB (with a Content-Length|chunked), reading nothing until the balancer holds it back$/,
  async function (this: LbWorld, megabytes: string, framingText: string) {
    const framing: Framing = framingText === 'chunked' ? 'chunked' : 'content-length';
    const pid = this.balancer.started?.pid;
    // The client reads nothing until the balancer's memory stops growing: at once for one that
    // stops reading from the backend, once it took the whole body in for one that does not.
    const heldUntil =
      pid === undefined
        ? undefined
        : () =>
            memorySettles(pid).catch((error: Error) => {
              throw new Error(
                `while the client read nothing, the balancer kept taking the answer in (${error.message})`,
              );
            });
    await download(this.listenerAddress, mebibyte, framing, heldUntil);
    const { result, memory } = await measureGrowth(pid, () =>
      download(this.listenerAddress, Number(megabytes) * mebibyte, framing, heldUntil),
    );
    proxied(this).transfer = { over: 'http', outcome: result, memory };
  },
);

When(
  'a TCP client sends {int} MB to the echo and reads nothing until the balancer holds it back',
  async function (this: LbWorld, megabytes: number) {
    // Warm-up, as for HTTP transfers: what is measured is what the size costs. It must succeed too.
    const warmUp = await tcpEchoHeldBack(this.listenerAddress, mebibyte);
    if ('error' in warmUp.arrived)
      throw new ExpectationError(`the warm-up, ${warmUp.what}, failed: ${warmUp.arrived.error}`);
    const { result, memory } = await measureGrowth(this.balancer.started?.pid, () =>
      tcpEchoHeldBack(this.listenerAddress, megabytes * mebibyte),
    );
    proxied(this).transfer = { over: 'tcp', outcome: result, memory };
  },
);

Then(/^(?:the backend|the client) received exactly those bytes$/, function (this: LbWorld) {
  const { outcome } = lastTransfer(this);
  const { arrived } = outcome;
  if ('error' in arrived) throw new ExpectationError(`${outcome.what} failed: ${arrived.error}`);
  if (arrived.bytes !== outcome.expectedBytes || arrived.sha256 !== outcome.expectedSha256) {
    throw new ExpectationError(
      `${outcome.what} arrived altered: ${arrived.bytes} bytes with SHA-256 ${arrived.sha256}, expected ${outcome.expectedBytes} bytes with ${outcome.expectedSha256}`,
    );
  }
});

Then("the balancer's memory grew by less than {int} MB meanwhile", function (this: LbWorld, bound: number) {
  const { outcome, memory } = lastTransfer(this);
  return expectGrowthBelow(
    this,
    memory,
    bound,
    outcome.what,
    'a streaming proxy needs far less than the body',
  );
});

Then('requests pass through like this:', async function (this: LbWorld, table: DataTable) {
  const wrong: string[] = [];
  for (const { method = 'GET', status = '200', body } of table.hashes()) {
    const answer = await rawHttpRequest(this.listenerAddress, {
      method,
      path: '/pass-through',
      headers: [
        ['Host', 'app.example'],
        ['X-Fail-Status', status],
        ...(method === 'GET' || method === 'HEAD' ? [] : ([['Content-Length', '0']] as [string, string][])),
      ],
    });
    const echoed = echoIn(answer.body);
    recordProbe(this, {
      sent: `${method} /pass-through HTTP/1.1\r\nX-Fail-Status: ${status}\r\n\r\n`,
      expected: [[Number(status)]],
      statuses: [answer.status],
    });
    const problem =
      String(answer.status) !== status
        ? `got status ${answer.status} (${answer.body.slice(0, 120).trim()})`
        : body === 'none' && answer.body !== ''
          ? `got a body of ${answer.body.length} bytes where none may be`
          : body === 'the echo' && echoed?.method !== method
            ? `the backend echoed method ${echoed?.method ?? '(no echo)'}`
            : undefined;
    if (problem) wrong.push(`${method} answered ${status} by the backend: ${problem}`);
  }
  if (wrong.length > 0)
    throw new ExpectationError(`requests did not pass through intact:\n  ${wrong.join('\n  ')}`);
});

When(
  'a client sends a POST of {int} bytes with Expect: 100-continue',
  async function (this: LbWorld, bodyBytes: number) {
    proxied(this).continueOutcome = await sendExpectingContinue(
      this.listenerAddress,
      bodyBytes,
      timeouts.timingSlackMs,
    );
  },
);

Then(
  'the client got 100 Continue before sending its body, and the backend received all {int} bytes',
  function (this: LbWorld, bodyBytes: number) {
    const outcome = proxied(this).continueOutcome;
    if (!outcome) throw new Error('no request with Expect: 100-continue was sent in this scenario');
    recordProbe(this, {
      sent: `POST /upload HTTP/1.1\r\nContent-Length: ${bodyBytes}\r\nExpect: 100-continue\r\n\r\n`,
      bytes: bodyBytes,
      expected: [[200]],
      statuses: outcome.finalStatus === undefined ? [] : [outcome.finalStatus],
      interim: outcome.continueAfterMs === undefined ? [] : [100],
    });
    if (outcome.continueAfterMs === undefined) {
      throw new ExpectationError(
        `no 100 Continue came within ${timeouts.timingSlackMs} ms of the headers (the client then sent its body anyway: final status ${outcome.finalStatus ?? 'none'})`,
      );
    }
    const echo =
      outcome.finalStatus === 200 ? (JSON.parse(outcome.body) as { bodyBytes: number }) : undefined;
    if (echo?.bodyBytes !== bodyBytes) {
      throw new ExpectationError(
        `after 100 Continue the backend should have received ${bodyBytes} bytes; final status ${outcome.finalStatus}, ${echo ? `${echo.bodyBytes} bytes` : outcome.body.slice(0, 200)}`,
      );
    }
  },
);

/** Exchanges `messages` over a WebSocket; the exchange failing is the balancer failing the scenario. */
async function exchangeOverWebSocket(world: LbWorld, messages: string, greeted: boolean): Promise<void> {
  const outcome = await webSocketExchange(world.listenerAddress, messages.split(', '), { greeted });
  proxied(world).webSocket = { ...outcome, greeted };
  if (outcome.failure) throw new ExpectationError(outcome.failure);
}

When('a WebSocket client sends the messages {string}', async function (this: LbWorld, messages: string) {
  await exchangeOverWebSocket(this, messages, false);
});

When(
  'a WebSocket client greeted by the backend sends the messages {string}',
  async function (this: LbWorld, messages: string) {
    await exchangeOverWebSocket(this, messages, true);
  },
);

Then('it got the replies {string}', function (this: LbWorld, expected: string) {
  const replies = proxied(this).webSocket?.replies.join(', ');
  if (replies !== expected) throw new ExpectationError(`expected the replies ${expected}, got ${replies}`);
});

When(
  'a client sends {int} requests one after another on one connection',
  async function (this: LbWorld, count: number) {
    proxied(this).keepAlive = await requestsOnOneClient(this.listenerAddress, count);
  },
);

Then('every request on it succeeded over {int} connection', function (this: LbWorld, connections: number) {
  const outcome = proxied(this).keepAlive;
  if (!outcome) throw new Error('no requests were sent on one connection in this scenario');
  const failed = outcome.statuses.filter((status) => status !== 200).length + outcome.errors.length;
  if (failed > 0) {
    throw new ExpectationError(
      `${failed} requests failed: statuses ${outcome.statuses.join(' ')}; errors ${outcome.errors.join('; ')}`,
    );
  }
  if (outcome.connectionsOpened !== connections) {
    throw new ExpectationError(
      `the client needed ${outcome.connectionsOpened} connections for ${outcome.statuses.length} requests: the balancer did not keep its connection alive`,
    );
  }
});

Then(
  'backend {word} accepted at most {int} connections for them',
  async function (this: LbWorld, id: string, bound: number) {
    const { acceptedConnections } = await this.backend(id).stats();
    if (acceptedConnections > bound) {
      throw new ExpectationError(
        `backend ${id} accepted ${acceptedConnections} connections for ${proxied(this).keepAlive?.statuses.length} requests one after another: the balancer does not reuse its upstream connections`,
      );
    }
  },
);

When('a TCP client reads the greeting and then resets its connection', async function (this: LbWorld) {
  await resetAfterGreeting(this.listenerAddress, timeouts.requestMs);
});

Then('backend {word} soon has no connection open', async function (this: LbWorld, id: string) {
  // Soon: the balancer has seen the reset as soon as it arrived; the budget only covers a busy machine.
  await pollUntil(async () => ((await this.backend(id).stats()).activeConnections === 0 ? true : undefined), {
    what: `backend "${id}" to have no connection open, once the client that held one through the balancer reset it`,
    timeoutMs: timeouts.requestMs,
  }).catch((error: Error) => {
    proxied(this).backendOpenAfterClientReset = true;
    throw new ExpectationError(
      `${error.message}: a reset from the client must close or reset the balancer's connection to the backend`,
    );
  });
  proxied(this).backendOpenAfterClientReset = false;
});

When('a TCP client connects and waits for its connection to end', async function (this: LbWorld) {
  proxied(this).tcpEnding = await awaitConnectionEnd(this.listenerAddress, timeouts.requestMs);
});

Then("the balancer ended the client's connection, closing or resetting it", function (this: LbWorld) {
  if (proxied(this).tcpEnding === undefined)
    throw new Error('no TCP client waited for its connection to end before this step');
  if (proxied(this).tcpEnding === 'still open') {
    throw new ExpectationError(
      `the client's connection was still open ${timeouts.requestMs} ms after the backend reset its side: a reset from the backend must close or reset the client's connection`,
    );
  }
});
