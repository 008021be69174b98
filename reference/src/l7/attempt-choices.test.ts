import assert from 'node:assert/strict';
import { test } from 'node:test';
import { referenceAttemptChoices } from './attempt-choices.ts';

const { resendsLost } = referenceAttemptChoices;

test('a lost request goes again only if it is idempotent and its body can be sent again', () => {
  for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])
    assert.equal(resendsLost(method, true), true);
  for (const method of ['POST', 'PATCH']) assert.equal(resendsLost(method, true), false, method);
  assert.equal(resendsLost('PUT', false), false, 'a body streamed once cannot go again');
});
