import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { connect } from 'node:tls';
import { testPki } from '../../../harness/tls/test-pki.ts';
import type { ListenerTlsConfig } from '../config/types.ts';
import { dnsNamesOf, nameMatches, tlsFront } from './tls-termination.ts';

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

test('a certificate for several names is chosen for any one of them, the default one for others', async () => {
  const pki = await testPki();
  const fallback = await pki.leaf(['localhost']);
  const several = await pki.leaf(['a.test', 'c.test']);
  const front = tlsFront(
    {
      certificate: fallback.certificatePem,
      key: fallback.keyPem,
      minVersion: 'TLSv1.2',
      sni: [{ certificate: several.certificatePem, key: several.keyPem }],
    } as ListenerTlsConfig,
    { http2: false, serve: (socket) => socket.end() },
    {},
  );
  front.server.listen(0, '127.0.0.1');
  await once(front.server, 'listening');
  const { port } = front.server.address() as AddressInfo;
  const namesGiven = async (servername: string): Promise<string | undefined> => {
    const socket = connect({ port, host: '127.0.0.1', servername, ca: pki.caPem, rejectUnauthorized: false });
    await once(socket, 'secureConnect');
    const names = socket.getPeerCertificate().subjectaltname;
    socket.destroy();
    return names;
  };
  try {
    assert.equal(await namesGiven('c.test'), 'DNS:a.test, DNS:c.test');
    assert.equal(await namesGiven('a.test'), 'DNS:a.test, DNS:c.test');
    assert.equal(await namesGiven('b.test'), 'DNS:localhost');
  } finally {
    front.server.close();
  }
});
