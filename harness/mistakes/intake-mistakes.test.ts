import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Measurements, Probe } from './measurements.ts';
import { suggested } from './signature-testing.ts';

const probed = (scenario: string, ...probes: Omit<Probe, 'bytes'>[]): Measurements => ({
  scenario,
  backends: [],
  exchanges: [],
  probes: probes.map((probe) => ({ ...probe, bytes: probe.sent.length })),
});
const get = (target: string, ...headers: string[]) =>
  `GET ${target} HTTP/1.1\r\n${headers.map((header) => `${header}\r\n`).join('')}\r\n`;

test('probes answered as expected fit nothing', () => {
  const scenario = 'hostile-malformed-request-lines-host';
  assert.deepEqual(suggested(probed(scenario, { sent: get('/'), expected: [[400]], statuses: [400] })), []);
});

test('a long target answered 431, and a malformed request unanswered after a good one', () => {
  const long = { sent: get(`/${'a'.repeat(300)}`, 'Host: a'), expected: [[414]], statuses: [431] };
  assert.deepEqual(suggested(probed('hostile-request-line-over-header', long)), [
    'request-line-too-long-as-431',
  ]);
  const pair = `${get('/', 'Host: a')}GE T / HTTP/1.1\r\nHost: a\r\n\r\n`;
  assert.deepEqual(
    suggested(
      probed('hostile-malformed-request-lines-host', { sent: pair, expected: [[], [400]], statuses: [200] }),
    ),
    ['parse-errors-unanswered-after-an-answer'],
  );
});

test('Host problems served fit the believed Host; framing problems served fit lenient parsing', () => {
  const scenario = 'hostile-malformed-request-lines-host';
  const noHost = { sent: get('/'), expected: [[400]], statuses: [200] };
  const twoHosts = { sent: get('/', 'Host: a', 'Host: b'), expected: [[400]], statuses: [200] };
  const badLine = { sent: 'GE T / HTTP/1.1\r\nHost: a\r\n\r\n', expected: [[400]], statuses: [400] };
  assert.deepEqual(suggested(probed(scenario, badLine, noHost, twoHosts)), ['host-header-believed']);
  const spaceInName = { sent: get('/', 'Host: a', 'X A: b'), expected: [[400]], statuses: [200] };
  assert.deepEqual(suggested(probed(scenario, noHost, spaceInName)), []);
  const both = {
    sent: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    expected: [[]],
    statuses: [200, 404],
  };
  assert.deepEqual(suggested(probed('hostile-requests-ambiguous-framing-refused', both)), [
    'lenient-request-framing',
  ]);
});

test('bodies over the limit: chunked only, or whatever the framing; timeouts never closing', () => {
  const scenario = 'abuse-headers-bodies-over-limits';
  const withLength = (status: number) => ({
    sent: 'POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 2097152\r\n\r\n',
    expected: [[413]],
    statuses: [status],
  });
  const chunked = (status: number) => ({
    sent: 'POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n',
    expected: [[413]],
    statuses: [status],
  });
  assert.deepEqual(suggested(probed(scenario, withLength(413), chunked(200))), [
    'chunked-body-size-unchecked',
  ]);
  assert.deepEqual(suggested(probed(scenario, withLength(200))), ['client-limits-ignored']);
  assert.deepEqual(suggested(probed(scenario, withLength(413), chunked(413))), []);
  const slow = (closedAfterMs?: number) => ({
    sent: get('/', 'Host: a'),
    expected: [[408]],
    statuses: [],
    closeWithinMs: 1_000,
    ...(closedAfterMs === undefined ? {} : { closedAfterMs }),
  });
  assert.deepEqual(suggested(probed('abuse-headers-never-finish-cut', slow())), ['client-limits-ignored']);
  assert.deepEqual(suggested(probed('abuse-headers-never-finish-cut', slow(1_050))), []);
  const pastCap = (statuses: number[]) => ({
    sent: get('/', 'Host: a'),
    expected: [],
    statuses,
    closeWithinMs: 1_000,
    closedAfterMs: 5,
  });
  assert.deepEqual(suggested(probed('abuse-client-holding-most-connections-http', pastCap([200]))), [
    'client-limits-ignored',
  ]);
  assert.deepEqual(suggested(probed('abuse-client-holding-most-connections-http', pastCap([]))), []);
});

test('no 100 Continue, an open admin endpoint, 5xx as 502', () => {
  const expecting = 'POST /upload HTTP/1.1\r\nContent-Length: 9\r\nExpect: 100-continue\r\n\r\n';
  const continued = (interim: number[]) =>
    suggested(
      probed('proxy-client-expects-100-continue', {
        sent: expecting,
        expected: [[200]],
        statuses: [200],
        interim,
      }),
    );
  assert.deepEqual(continued([]), ['expect-continue-ignored']);
  assert.deepEqual(continued([100]), []);
  assert.deepEqual(
    suggested(
      probed('admin-token-endpoint-answers-only', {
        sent: get('/status'),
        expected: [[401]],
        statuses: [200],
      }),
    ),
    ['admin-open-without-token'],
  );
  const passed = (asked: number, got: number) => ({
    sent: get('/pass-through', `X-Fail-Status: ${asked}`),
    expected: [[asked]],
    statuses: [got],
  });
  const scenario = 'proxy-method-status-passes-through';
  assert.deepEqual(suggested(probed(scenario, passed(404, 404), passed(500, 502), passed(503, 502))), [
    'backend-errors-replaced-by-502',
  ]);
  assert.deepEqual(suggested(probed(scenario, passed(404, 502), passed(500, 502))), []);
});

test('spoiled answers that reach the client whole, and a stalled one never cut', () => {
  const spoiled = (answerShape: 'whole' | 'broken-off') => ({
    sent: get('/spoiled', 'X-Fault: truncate-chunked'),
    expected: [[]],
    statuses: [200],
    answerShape,
    expectedShape: 'broken-off' as const,
  });
  const scenario = 'faulty-answers-backend-spoils-reach';
  assert.deepEqual(suggested(probed(scenario, spoiled('whole'))), ['broken-answer-ended-as-whole']);
  assert.deepEqual(suggested(probed(scenario, spoiled('broken-off'))), []);
  const stalled = { ...spoiled('broken-off'), closeWithinMs: 1_000 };
  assert.deepEqual(suggested(probed('faulty-backend-stops-sending-middle', stalled)), [
    'stalled-answer-never-cut',
  ]);
  assert.deepEqual(
    suggested(probed('faulty-backend-stops-sending-middle', { ...stalled, closedAfterMs: 1_020 })),
    [],
  );
});
