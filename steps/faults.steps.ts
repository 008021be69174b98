import { type DataTable, Then } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import { sendRawText } from '../harness/clients/abuse.ts';
import { type AnswerShape, answerShape, finalStatuses } from '../harness/clients/raw-answers.ts';
import { wallClockMs } from '../harness/clients/traffic.ts';
import type { Probe } from '../harness/mistakes/measurements.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { recordProbe } from './support/probes.ts';
import type { LbWorld } from './support/world.ts';

/** A request asking the backend to spoil its answer on the wire (see rawFaults in the backend). */
const spoiled = (fault: string) =>
  `GET /spoiled HTTP/1.1\r\nHost: app.example\r\nX-Fault: ${fault}\r\nConnection: close\r\n\r\n`;

/** The shape of an answer as a probe records it: whole (by its framing or the close) or broken off. */
function shapeOf(shape: AnswerShape): Pick<Probe, 'answerShape'> {
  if (shape.kind === 'none') return {};
  return { answerShape: shape.kind === 'broken-off' ? 'broken-off' : 'whole' };
}

Then(
  'requests whose answers the backend spoils end like this:',
  async function (this: LbWorld, table: DataTable) {
    const wrong: string[] = [];
    for (const { fault = '', 'the client gets': expected = '' } of table.hashes()) {
      const { received, closed } = await sendRawText(this.listenerAddress, spoiled(fault));
      const shape = answerShape(received);
      recordProbe(this, {
        sent: spoiled(fault),
        expected: [[]],
        statuses: finalStatuses(received),
        ...shapeOf(shape),
        expectedShape: 'broken-off',
      });
      const got =
        shape.kind === 'none'
          ? 'no answer'
          : shape.kind === 'broken-off'
            ? 'a broken-off answer'
            : shape.kind === 'whole' && shape.status >= 500
              ? `${shape.status}`
              : `a ${shape.kind} ${shape.status} answer of ${shape.bodyBytes} bytes`;
      // Until its head is sent, a balancer may still answer 502 for a body it saw broken off.
      const fits = got === expected || (expected === 'a broken-off answer' && got === '502');
      if (!fits || !closed)
        wrong.push(
          `${fault}: expected ${expected}, got ${got}${closed ? '' : ' and the connection left open'}`,
        );
    }
    if (wrong.length > 0)
      throw new ExpectationError(
        `spoiled answers did not reach the client as errors:\n  ${wrong.join('\n  ')}`,
      );
  },
);

Then(
  'a request whose answer stalls after 100 of 1000 bytes is broken off within the response timeout',
  async function (this: LbWorld) {
    const limitMs = this.mainPool.timeouts?.responseMs;
    if (limitMs === undefined) throw new Error("the scenario's pool sets no response timeout");
    const startedMs = wallClockMs();
    const { received, closed } = await sendRawText(this.listenerAddress, spoiled('stall-body'));
    const tookMs = wallClockMs() - startedMs;
    const shape = answerShape(received);
    recordProbe(this, {
      sent: spoiled('stall-body'),
      expected: [[]],
      statuses: finalStatuses(received),
      ...shapeOf(shape),
      expectedShape: 'broken-off',
      closeWithinMs: limitMs,
      ...(closed ? { closedAfterMs: tookMs } : {}),
    });
    const brokenOff = shape.kind === 'broken-off' || (shape.kind === 'whole' && shape.status === 504);
    if (!closed || !brokenOff || tookMs < limitMs - 5 || tookMs > limitMs + timeouts.timingSlackMs) {
      throw new ExpectationError(
        `expected the answer broken off between ${limitMs} and ${limitMs + timeouts.timingSlackMs} ms; ${closed ? `the connection closed after ${Math.round(tookMs)} ms` : `it was still open after ${Math.round(tookMs)} ms`} with ${shape.kind === 'none' ? 'no answer' : `a ${shape.kind} ${shape.status} answer of ${shape.bodyBytes} bytes`}`,
      );
    }
  },
);
