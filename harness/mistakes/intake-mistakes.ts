// Mistakes in how a balancer takes what clients send (request lines, Host, framing, sizes, slow
// clients) and what it hands back of a backend's answer, read from the probes a scenario sent.
import type { Measurements, Probe } from './measurements.ts';
import type { Mistake } from './mistake.ts';

/** The probes whose answers were not what the scenario allows. */
function missed(measured: Measurements): Probe[] {
  return (measured.probes ?? []).filter((probe) => !answeredAsExpected(probe));
}

function answeredAsExpected(probe: Probe): boolean {
  if (probe.statuses.length !== probe.expected.length) return false;
  return probe.expected.every(
    (allowed, i) => allowed.length === 0 || allowed.includes(probe.statuses[i] ?? 0),
  );
}

/** The probes that expected one of `statuses` for their last answer. */
const expecting = (probes: readonly Probe[], ...statuses: number[]) =>
  probes.filter((probe) => statuses.some((status) => probe.expected.at(-1)?.includes(status)));

const isSuccess = (status: number | undefined) => status !== undefined && status >= 200 && status < 400;

/** A probe's header lines, lower-cased names, before the first empty line. */
function headerLines(probe: Probe): { readonly name: string; readonly value: string }[] {
  const head = probe.sent.split('\r\n\r\n')[0] ?? '';
  return head
    .split('\r\n')
    .slice(1)
    .map((line) => {
      const colon = line.indexOf(':');
      return { name: line.slice(0, colon).toLowerCase(), value: line.slice(colon + 1).trim() };
    });
}

/** Whether a probe's Host is missing, repeated, or not a host (a path or a space in it). */
function hostAmiss(probe: Probe): boolean {
  const hosts = headerLines(probe).filter(({ name }) => name === 'host');
  return hosts.length !== 1 || /[/\s]/.test(hosts[0]?.value ?? '');
}

/** Whether a lenient parser may frame a probe's body its own way: any Transfer-Encoding (odd, or beside a Content-Length), or two Content-Lengths. */
function framingAmbiguous(probe: Probe): boolean {
  const lines = headerLines(probe);
  const named = (name: string) => lines.filter((line) => line.name.trim() === name).length;
  return named('transfer-encoding') > 0 || named('content-length') > 1;
}

const isChunked = (probe: Probe) =>
  headerLines(probe).some(({ name, value }) => name === 'transfer-encoding' && /chunked/i.test(value));

/** Whether the probe's connection closed in time; undefined when the scenario expects no close. */
function closedInTime(probe: Probe, slackMs: number): boolean | undefined {
  if (probe.closeWithinMs === undefined) return undefined;
  return probe.closedAfterMs !== undefined && probe.closedAfterMs <= probe.closeWithinMs + slackMs;
}

/** Slack for a close the scenario expects by a timeout: generous, since only a far miss shows a limit ignored. */
const closeSlackMs = 1_000;

export const intakeMistakes: readonly Mistake[] = [
  {
    id: 'request-line-too-long-as-431',
    concept: 'proxying HTTP',
    title: 'A request line too long is answered 431, as if a header were',
    mistake: 'Every overflow of the header buffer is answered 431 Request Header Fields Too Large.',
    shows: 'A request whose target alone overflowed the limit got 431 where 414 URI Too Long was due.',
    rootCause:
      "The parser's one overflow error is mapped to one status, without asking whether the request line was complete when it overflowed.",
    fix: 'When the buffer overflows before the end of the request line, answer 414 (RFC 9110 15.5.15); 431 is for the header fields.',
    scenarios: ['hostile-request-line-over-header'],
    signature(measured) {
      return expecting(missed(measured), 414).some((probe) => probe.statuses[0] === 431) ? 1 : 0;
    },
  },
  {
    id: 'parse-errors-unanswered-after-an-answer',
    concept: 'proxying HTTP',
    title: 'A malformed request on a kept-alive connection gets no answer',
    mistake:
      'A request the parser refuses is answered only when it is the first on its connection; later ones get a bare close.',
    shows:
      'On one connection a good request and a malformed one got fewer than two answers before the close.',
    rootCause:
      'The error handler answers only a connection that has written nothing yet, to avoid writing into the middle of an earlier answer.',
    fix: 'Wait for the earlier answer to finish, then send the 400 and close; only a connection whose answer is cut mid-way may close bare.',
    scenarios: ['hostile-malformed-request-lines-host'],
    signature(measured) {
      // Two requests on one connection and fewer than two answers: the good one's may be cut too.
      return missed(measured).some((probe) => probe.expected.length === 2 && probe.statuses.length < 2)
        ? 1
        : 0;
    },
  },
  {
    id: 'host-header-believed',
    concept: 'proxying HTTP',
    title: 'Any Host header is believed',
    mistake: 'A request with no Host, two of them, or one that is no host name is forwarded like any other.',
    shows:
      'Requests whose Host was missing, repeated or malformed were answered by a backend instead of 400.',
    rootCause:
      'The first Host value is taken as it is (or a default filled in); HTTP/1.1 requires exactly one valid Host and a 400 otherwise (RFC 9112 3.2).',
    fix: 'Refuse with 400 a request with no Host, several, or one that is not a host[:port]; route by the one that was checked.',
    scenarios: ['hostile-malformed-request-lines-host'],
    signature(measured) {
      const wrong = expecting(missed(measured), 400);
      return wrong.length > 0 && wrong.every(hostAmiss) ? 1 : 0;
    },
  },
  {
    id: 'lenient-request-framing',
    concept: 'proxying HTTP',
    title: 'Requests with ambiguous framing are accepted (request smuggling)',
    mistake:
      'A request with both Content-Length and Transfer-Encoding, two lengths, or an odd coding or chunk size is parsed leniently and forwarded.',
    shows:
      'Requests whose framing is ambiguous got a success, or more than one answer on their connection (the smuggled request was served).',
    rootCause:
      'The parser picks one reading of the body where the backend may pick another, so the bytes after it are a request to one and a body to the other.',
    fix: 'Refuse with 400 (or 501 for an unknown coding) any request whose framing is ambiguous, and close its connection (RFC 9112 6.3).',
    scenarios: ['hostile-requests-ambiguous-framing-refused'],
    signature(measured) {
      const wrong = missed(measured).filter(framingAmbiguous);
      return wrong.some((probe) => probe.statuses.length > 1 || isSuccess(probe.statuses[0])) ? 1 : 0;
    },
  },
  {
    id: 'chunked-body-size-unchecked',
    concept: 'connections',
    title: 'A chunked body is not held to the body limit',
    mistake: 'The body limit is checked against the Content-Length header only.',
    shows: 'A body over the limit with a Content-Length got 413; the same size chunked was served.',
    rootCause: 'A chunked body declares no length, so a check of the header alone never sees its size.',
    fix: 'Count the body bytes as they arrive, whatever the framing, and answer 413 once they pass the limit.',
    scenarios: ['abuse-headers-bodies-over-limits'],
    signature(measured) {
      const overLimit = expecting(measured.probes ?? [], 413);
      const refused = overLimit.filter((probe) => !isChunked(probe) && probe.statuses[0] === 413);
      const served = overLimit.filter((probe) => isChunked(probe) && isSuccess(probe.statuses[0]));
      return refused.length > 0 && served.length > 0 ? 1 : 0;
    },
  },
  {
    id: 'client-limits-ignored',
    concept: 'connections',
    title: "A listener's client limits are not enforced",
    mistake:
      'The limits on headers, bodies, slow clients, idle connections and connections per client are read from the config but never applied.',
    shows:
      'A request over a size limit was served, or a connection the limits should have closed (slow, idle, or one too many) stayed open or was served.',
    rootCause:
      "The server runs with its library's defaults (which are generous or off), and the configured limits never reach it.",
    fix: 'Apply each limit where the bytes arrive: header and body sizes while parsing, timeouts on the connection, the connection cap at accept.',
    scenarios: [
      'abuse-client-holding-most-connections-http',
      'abuse-client-holding-most-connections-tcp',
      'abuse-headers-never-finish-cut',
      'abuse-headers-bodies-over-limits',
      'abuse-idle-connection-closed-after',
      'abuse-body-never-finishes-cut',
    ],
    signature(measured) {
      const probes = measured.probes ?? [];
      const oversized = expecting(probes, 413, 431).filter((probe) => isSuccess(probe.statuses[0]));
      // Served whatever its framing: not the chunked-only check (see chunked-body-size-unchecked).
      const sizeIgnored =
        oversized.length > 0 && !expecting(probes, 413).some((probe) => probe.statuses[0] === 413);
      const neverClosed = probes.some((probe) => closedInTime(probe, closeSlackMs) === false);
      // A connection past the per-client cap was to be closed unanswered.
      const servedPastCap = probes.some((probe) => probe.expected.length === 0 && probe.statuses.length > 0);
      return sizeIgnored || neverClosed || servedPastCap ? 1 : 0;
    },
  },
  {
    id: 'expect-continue-ignored',
    concept: 'proxying HTTP',
    title: 'A client that expects 100 Continue never gets it',
    mistake:
      'Expect: 100-continue is neither answered nor passed on, so the client waits before sending its body.',
    shows: 'A request with Expect: 100-continue got no 100 Continue before its final answer.',
    rootCause:
      "The server's continue event is handled (or the header stripped) without ever writing the interim answer.",
    fix: "Answer 100 Continue when the request is to be forwarded (or relay the backend's), or a final status if it is refused outright.",
    scenarios: ['proxy-client-expects-100-continue'],
    signature(measured) {
      return (measured.probes ?? []).some(
        (probe) => /\r\nexpect: *100-continue/i.test(probe.sent) && !(probe.interim ?? []).includes(100),
      )
        ? 1
        : 0;
    },
  },
  {
    id: 'admin-open-without-token',
    concept: 'the admin endpoint',
    title: 'The admin endpoint answers without its token',
    mistake: 'The admin API serves whoever asks, although the config gives it a token.',
    shows: 'Admin requests with no token, or a wrong one, were answered instead of refused with 401.',
    rootCause:
      'The token is read from the config but the check of the Authorization header is missing or skipped.',
    fix: 'Compare the Authorization header to "Bearer <token>" (in constant time) before anything else, and answer 401 otherwise.',
    scenarios: ['admin-token-endpoint-answers-only'],
    signature(measured) {
      return expecting(missed(measured), 401).some((probe) => probe.statuses[0] !== 401) ? 1 : 0;
    },
  },
  {
    id: 'backend-errors-replaced-by-502',
    concept: 'proxying HTTP',
    title: "A backend's 5xx answers are replaced by 502",
    mistake:
      'Any 5xx from a backend is answered 502 Bad Gateway, hiding the status and body the backend sent.',
    shows: 'Backends answered 500 or 503 and the client got 502; their other statuses passed through.',
    rootCause:
      'A backend that answered is treated like one that failed: 502 is for a backend that gave no valid answer.',
    fix: 'Pass on whatever a backend answered, 5xx included (retrying it first where the policy says so); answer 502 or 504 only when no answer came.',
    scenarios: ['proxy-method-status-passes-through'],
    signature(measured) {
      const wrong = missed(measured);
      return wrong.length > 0 &&
        wrong.every((probe) => (probe.expected[0]?.[0] ?? 0) >= 500 && probe.statuses[0] === 502)
        ? 1
        : 0;
    },
  },
  {
    id: 'broken-answer-ended-as-whole',
    concept: 'proxying HTTP',
    title: "A backend's broken-off answer reaches the client as a whole one",
    mistake:
      'When a backend breaks off an answer, the balancer ends its own answer normally (the last chunk sent).',
    shows: 'Answers the backend broke off reached the client whole by their framing, only shorter.',
    rootCause:
      "The error on the backend's side ends the response stream as if it were finished; with chunked framing that writes the last chunk.",
    fix: "When the backend's answer fails mid-way, abort the client's answer too (reset or close without the last chunk), so the client sees the break.",
    scenarios: ['faulty-answers-backend-spoils-reach'],
    signature(measured) {
      return (measured.probes ?? []).some(
        (probe) =>
          probe.expectedShape === 'broken-off' &&
          probe.closeWithinMs === undefined &&
          probe.answerShape === 'whole' &&
          isSuccess(probe.statuses[0]),
      )
        ? 1
        : 0;
    },
  },
  {
    id: 'stalled-answer-never-cut',
    concept: 'timeouts',
    title: 'A backend may stall in the middle of an answer for ever',
    mistake:
      'The response timeout covers the wait for the head only; once the body flows, no timer watches it.',
    shows: 'An answer whose body stalled was not broken off within the response timeout (or at all).',
    rootCause:
      'The timer is cleared when the head arrives and nothing takes its place while the body is piped.',
    fix: 'Keep an idle timer while the body flows (reset on each chunk), and abort both sides when it fires.',
    scenarios: ['faulty-backend-stops-sending-middle'],
    signature(measured) {
      return (measured.probes ?? []).some(
        (probe) => probe.statuses[0] === 200 && closedInTime(probe, closeSlackMs) === false,
      )
        ? 1
        : 0;
    },
  },
];
