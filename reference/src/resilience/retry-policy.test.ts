import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RetryConfig } from '../config/types.ts';
import { attemptFailure, classifyError, mayRetry } from './retry-policy.ts';

const policy: RetryConfig = {
  attempts: 2,
  retryOn: ['connect-failure', 'reset', 503],
  baseIntervalMs: 25,
  maxIntervalMs: 250,
  retryNonIdempotent: false,
};
const attempt = { retriesSoFar: 0, method: 'GET', bodyReplayable: true } as const;

test('named failures are retried until the attempts run out', () => {
  assert.equal(mayRetry(policy, { ...attempt, failure: 'reset' }), true);
  assert.equal(mayRetry(policy, { ...attempt, failure: { status: 503 } }), true);
  assert.equal(mayRetry(policy, { ...attempt, failure: { status: 500 } }), false);
  assert.equal(mayRetry(policy, { ...attempt, failure: 'timeout' }), false);
  assert.equal(mayRetry(policy, { ...attempt, retriesSoFar: 2, failure: 'reset' }), false);
  assert.equal(mayRetry(undefined, { ...attempt, failure: 'reset' }), false);
});

test('a POST is retried after a failure to connect only, unless the policy allows more', () => {
  const post = { ...attempt, method: 'POST' };
  assert.equal(mayRetry(policy, { ...post, failure: 'connect-failure' }), true);
  assert.equal(mayRetry(policy, { ...post, failure: 'reset' }), false);
  assert.equal(mayRetry(policy, { ...post, failure: { status: 503 } }), false);
  assert.equal(mayRetry({ ...policy, retryNonIdempotent: true }, { ...post, failure: 'reset' }), true);
  assert.equal(mayRetry(policy, { ...attempt, method: 'PUT', failure: 'reset' }), true);
});

test('a body that cannot be sent again is never retried', () => {
  assert.equal(mayRetry(policy, { ...attempt, bodyReplayable: false, failure: 'connect-failure' }), false);
});

test('transport errors are classified by code', () => {
  assert.equal(classifyError({ code: 'ECONNREFUSED' }), 'connect-failure');
  assert.equal(classifyError({ code: 'UND_ERR_CONNECT_TIMEOUT' }), 'connect-failure');
  assert.equal(classifyError({ code: 'UND_ERR_HEADERS_TIMEOUT' }), 'timeout');
  assert.equal(classifyError({ code: 'UND_ERR_SOCKET' }), 'reset');
  assert.equal(classifyError(new Error('no code')), 'reset');
});

test('an attempt without an answer: what failed, and whether the client is told it timed out (504) or not (502)', () => {
  const connectTimeout = Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' });
  assert.deepEqual(attemptFailure(connectTimeout, false), {
    failure: 'connect-failure',
    answerTimedOut: true,
  });
  const refused = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
  assert.deepEqual(attemptFailure(refused, false), { failure: 'connect-failure', answerTimedOut: false });
  // The response timer aborted the attempt, whatever error the abort surfaced as.
  assert.deepEqual(attemptFailure(new Error('aborted'), true), { failure: 'timeout', answerTimedOut: true });
  assert.deepEqual(attemptFailure(new Error('other side closed'), false), {
    failure: 'reset',
    answerTimedOut: false,
  });
});
