import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testPki } from '../../../harness/tls/test-pki.ts';
import { dnsNamesOf, nameMatches } from './tls-termination.ts';

test('a certificate name covers the same name in any case, a wildcard one leftmost label only', () => {
  assert.ok(nameMatches('a.test', 'A.Test'));
  assert.ok(!nameMatches('a.test', 'b.test'));
  assert.ok(nameMatches('*.a.test', 'x.a.test'));
  assert.ok(!nameMatches('*.a.test', 'a.test'));
  assert.ok(!nameMatches('*.a.test', 'x.y.a.test'));
  assert.ok(!nameMatches('*.a.test', '.a.test'));
});

test("a certificate's DNS names are read from its subjectAltName, addresses left out", async () => {
  const { certificatePem } = await (await testPki()).leaf(['A.test', '*.b.test', '127.0.0.1']);
  assert.deepEqual(dnsNamesOf(certificatePem), ['a.test', '*.b.test']);
});
