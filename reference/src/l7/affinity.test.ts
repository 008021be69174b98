import assert from 'node:assert/strict';
import { test } from 'node:test';
import { affinityCookie, affinityToken } from './affinity.ts';

const backend = { id: 'b1', address: '10.0.0.7:8080' };

test('a token is the same for the same secret, pool and backend, and tells nothing of the backend', () => {
  const token = affinityToken('a secret of sixteen+', 'web', backend);
  assert.equal(token, affinityToken('a secret of sixteen+', 'web', backend));
  assert.notEqual(token, affinityToken('another secret here', 'web', backend));
  assert.notEqual(token, affinityToken('a secret of sixteen+', 'api', backend));
  assert.match(token, /^[A-Za-z0-9_-]{22}$/);
  assert.ok(
    !token.includes('b1') && !Buffer.from(token, 'base64url').toString('latin1').includes('10.0.0.7'),
  );
});

test('the cookie carries the configured attributes', () => {
  const config = {
    cookie: 'lb',
    secret: 's'.repeat(16),
    path: '/app',
    httpOnly: true,
    sameSite: 'None' as const,
  };
  assert.equal(
    affinityCookie({ ...config, maxAgeSeconds: 60 }, 'T'),
    'lb=T; Path=/app; Max-Age=60; HttpOnly; SameSite=None; Secure',
  );
  assert.equal(
    affinityCookie({ ...config, httpOnly: false, sameSite: 'Lax' }, 'T'),
    'lb=T; Path=/app; SameSite=Lax',
  );
});
