import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactSecrets } from './redact.ts';

test('secrets are replaced by their length; everything else is kept', () => {
  const config = {
    admin: { address: '127.0.0.1:9901', token: 'admin-token-0123456789' },
    listeners: [
      {
        name: 'web',
        rateLimit: { key: { header: 'X-Api-Key' }, overrides: [{ key: 'gold-key-1', capacity: 9 }] },
      },
    ],
    pools: { app: { stickySession: { cookie: 'lb', secret: 'shh-its-secret' }, backends: [{ id: 'b1' }] } },
  };
  const shown = JSON.stringify(redactSecrets(config));
  for (const secret of ['admin-token-0123456789', 'gold-key-1', 'shh-its-secret'])
    assert.ok(!shown.includes(secret), secret);
  assert.deepEqual(redactSecrets(config), {
    admin: { address: '127.0.0.1:9901', token: '<redacted: 22 characters>' },
    listeners: [
      {
        name: 'web',
        rateLimit: {
          key: { header: 'X-Api-Key' },
          overrides: [{ key: '<redacted: 10 characters>', capacity: 9 }],
        },
      },
    ],
    pools: {
      app: { stickySession: { cookie: 'lb', secret: '<redacted: 14 characters>' }, backends: [{ id: 'b1' }] },
    },
  });
});
