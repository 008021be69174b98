import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { testPki } from './test-pki.ts';

test('a leaf names its hosts, is signed by the run CA, and an expired one has ended', async () => {
  const pki = await testPki();
  const ca = new X509Certificate(pki.caPem);
  assert.ok(ca.ca);
  const leaf = new X509Certificate((await pki.leaf(['localhost', '127.0.0.1'])).certificatePem);
  assert.equal(leaf.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1');
  assert.ok(leaf.verify(ca.publicKey));
  assert.ok(leaf.checkIssued(ca));
  const expired = new X509Certificate((await pki.leaf(['localhost'], { expired: true })).certificatePem);
  assert.ok(Date.parse(expired.validTo) < Date.now());
  assert.equal(await testPki(), pki, 'one CA per process');
});
