import { type DataTable, Then } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import { sendRawText } from '../harness/clients/abuse.ts';
import { finalStatuses } from '../harness/clients/raw-answers.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { recordProbe } from './support/probes.ts';
import type { LbWorld } from './support/world.ts';

/** A table cell as bytes: "\r\n" is CR LF, a lone "\r" a bare CR (a lone "\n" is already an LF). */
export function rawRequestText(cell: string): string {
  return cell.replaceAll('\\r', '\r');
}

/** What a balancer may do with an ambiguous request, by the words of the table's "answer" column. */
const allowedAnswers: Readonly<Record<string, readonly number[]>> = {
  '400': [400],
  '400 or 501': [400, 501],
  '400, or one answer by the chunks': [],
};

/** The request a smuggling attempt hides behind an ambiguous one (45 bytes). */
export const smuggledRequest = 'GET /smuggled HTTP/1.1\r\nHost: app.example\r\n\r\n';

Then(
  'each of these requests, followed on its connection by a smuggled request, gets its answer and then the close:',
  async function (this: LbWorld, table: DataTable) {
    const wrong: string[] = [];
    for (const { what = '', answer: allowed = '', request = '' } of table.hashes()) {
      const fits = allowedAnswers[allowed];
      if (!fits)
        throw new Error(
          `"${allowed}" is not an answer this step knows: ${Object.keys(allowedAnswers).join('; ')}`,
        );
      const sent = rawRequestText(request) + smuggledRequest;
      const answer = await sendRawText(this.listenerAddress, sent);
      const answers = finalStatuses(answer.received);
      recordProbe(this, { sent, expected: [fits], statuses: answers });
      const fitting = answer.status !== undefined && (fits.length === 0 || fits.includes(answer.status));
      if (!fitting || !answer.closed || answers.length > 1) {
        wrong.push(
          `${what}: expected ${allowed} and then the close; got ${answers.join(', ') || 'no answer'}, connection ${answer.closed ? 'closed' : `still open after ${timeouts.requestMs} ms`} (${JSON.stringify(answer.received.slice(0, 80))})`,
        );
      }
    }
    if (wrong.length > 0)
      throw new ExpectationError(`ambiguous requests were not refused safely:\n  ${wrong.join('\n  ')}`);
  },
);

Then('no backend received the smuggled request', async function (this: LbWorld) {
  for (const [id, backend] of this.backends) {
    const smuggled = (await backend.arrivals()).filter((arrival) => arrival.path?.startsWith('/smuggled'));
    if (smuggled.length > 0)
      throw new ExpectationError(
        `backend ${id} received ${smuggled.length} request(s) for /smuggled, hidden behind an ambiguous one`,
      );
  }
});

Then(
  'each of these requests is answered {int}:',
  async function (this: LbWorld, status: number, table: DataTable) {
    const wrong: string[] = [];
    for (const { what = '', request = '' } of table.hashes()) {
      const sent = rawRequestText(request).replace(/\r\n\r\n$/, '\r\nConnection: close\r\n\r\n');
      const answer = await sendRawText(this.listenerAddress, sent);
      recordProbe(this, { sent, expected: [[status]], statuses: finalStatuses(answer.received) });
      if (answer.status !== status)
        wrong.push(
          `${what}: got ${answer.status ?? 'no answer'} (${JSON.stringify(answer.received.slice(0, 80))})`,
        );
    }
    if (wrong.length > 0)
      throw new ExpectationError(`expected each request answered ${status}:\n  ${wrong.join('\n  ')}`);
  },
);

Then(
  'a header value with a bare CR in it is refused with 400, or reaches the backend with a space for the CR',
  async function (this: LbWorld) {
    const answer = await sendRawText(
      this.listenerAddress,
      'GET / HTTP/1.1\r\nHost: app.example\r\nX-A: a\rX-Injected: yes\r\nConnection: close\r\n\r\n',
    );
    if (answer.status === 400) return;
    const body = answer.received.slice(answer.received.indexOf('\r\n\r\n') + 4);
    const echo =
      answer.status === 200 ? (JSON.parse(body) as { headers: Record<string, string> }) : undefined;
    if (echo?.headers['x-a'] !== 'a X-Injected: yes' || echo.headers['x-injected'] !== undefined)
      throw new ExpectationError(
        `a header value with a bare CR got ${answer.status ?? 'no answer'}; the backend received ${echo ? `X-A: ${JSON.stringify(echo.headers['x-a'])} and X-Injected: ${JSON.stringify(echo.headers['x-injected'])}` : 'nothing'}`,
      );
  },
);

Then(
  'a request with a target of {int} bytes is answered {int}',
  async function (this: LbWorld, size: number, status: number) {
    const target = `/${'a'.repeat(size - 1)}`;
    const sent = `GET ${target} HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n\r\n`;
    const { status: got, received } = await sendRawText(this.listenerAddress, sent);
    recordProbe(this, { sent, expected: [[status]], statuses: finalStatuses(received) });
    if (got !== status)
      throw new ExpectationError(
        `a request with a ${size}-byte target got ${got ?? JSON.stringify(received.slice(0, 60))}, expected ${status}`,
      );
  },
);

Then(
  'a malformed request that follows an answered one on its connection is answered {int}',
  async function (this: LbWorld, status: number) {
    const sent = 'GET / HTTP/1.1\r\nHost: app.example\r\n\r\nGE T / HTTP/1.1\r\nHost: app.example\r\n\r\n';
    const { received } = await sendRawText(this.listenerAddress, sent);
    recordProbe(this, { sent, expected: [[], [status]], statuses: finalStatuses(received) });
    const statuses = finalStatuses(received).map(String);
    if (statuses.length !== 2 || statuses[1] !== String(status))
      throw new ExpectationError(
        `a good request and then a malformed one on one connection got ${statuses.join(', ') || 'nothing'}; the second must get ${status}`,
      );
  },
);
