import { X509Certificate } from 'node:crypto';
import type { SecureVersion } from 'node:tls';
import { Given, Then, When } from '@cucumber/cucumber';
import { ExpectationError } from '../harness/checks/expectations.ts';
import { requestOverTls, type TlsOffer, type TlsOutcome } from '../harness/clients/tls.ts';
import { timeouts } from '../harness/timing/timeouts.ts';
import { testPki } from '../harness/tls/test-pki.ts';
import { recordRawExchange } from './support/raw-exchange.ts';
import { listenerTls, serverName, startTlsBalancer } from './support/tls-listener.ts';
import { topicState } from './support/topic-state.ts';
import type { LbWorld } from './support/world.ts';

/** A listener's "sni" certificates: one from the run's CA for each of `names` ("a.test, *.b.test"). */
async function certificatesFor(names: string) {
  const pki = await testPki();
  return Promise.all(
    names.split(/,\s*/).map(async (name) => {
      const { certificatePem, keyPem } = await pki.leaf([name]);
      return { certificate: certificatePem, key: keyPem };
    }),
  );
}

Given(
  'a balancer with an HTTPS listener using {algorithm} over all backends, with certificates for {string} besides its default one',
  async function (this: LbWorld, algorithm: string, names: string) {
    await startTlsBalancer(this, algorithm, { sni: await certificatesFor(names) });
  },
);

Given(
  'a balancer with an HTTPS listener routing to a pool per backend like this, with certificates for {string}:',
  async function (this: LbWorld, names: string, listener: string) {
    const { routes } = JSON.parse(listener) as { routes: unknown };
    await this.startRoutedBalancer({ routes, tls: await listenerTls({ sni: await certificatesFor(names) }) });
  },
);

/** Throws unless the certificate a client was given is the one for `expected`. */
function expectCertificateFor(
  outcome: TlsOutcome & { kind: 'served' },
  asked: string,
  expected: string,
): void {
  const names = outcome.certificateNames.split(', ').filter((entry) => entry.startsWith('DNS:'));
  if (names[0] !== `DNS:${expected}`) {
    throw new ExpectationError(
      `expected a client asking for ${asked} to be given the certificate for ${expected}, it was given the one for ${names.join(', ') || '(no names)'}`,
    );
  }
}

Then(
  'a client asking for {string} is given the certificate for {string}',
  async function (this: LbWorld, asked: string, expected: string) {
    const outcome = await offer(this, { serverName: asked, checkName: false });
    expectServed(outcome, `a client asking for ${asked}`);
    expectCertificateFor(outcome, asked, expected);
  },
);

Then(
  'a client asking for {string} is given the certificate for {string} and answered by {word}',
  async function (this: LbWorld, asked: string, expected: string, id: string) {
    const outcome = await offer(this, { serverName: asked, checkName: false });
    expectServed(outcome, `a client asking for ${asked}`);
    expectCertificateFor(outcome, asked, expected);
    expectAnsweredBy(outcome, `a client asking for ${asked} with Host ${asked}`, id);
  },
);

Then(
  'a client asking for {string} with Host {string} is answered by {word}, or refused with 421',
  async function (this: LbWorld, asked: string, host: string, id: string) {
    const outcome = await offer(this, { serverName: asked, checkName: false, headers: { host } });
    const what = `a client asking for ${asked} with Host ${host}`;
    if (outcome.kind === 'served' && outcome.answer.status === 421) return;
    expectServed(outcome, what);
    expectAnsweredBy(outcome, what, id);
  },
);

function expectAnsweredBy(outcome: TlsOutcome & { kind: 'served' }, what: string, id: string): void {
  const answeredBy = outcome.answer.headers['x-backend-id'];
  if (answeredBy !== id)
    throw new ExpectationError(`expected ${what} to be answered by ${id}, it was answered by ${answeredBy}`);
}

Given(
  'a balancer with an HTTPS listener using {algorithm} over all backends',
  async function (this: LbWorld, algorithm: string) {
    await startTlsBalancer(this, algorithm, {});
  },
);

Given(
  'a balancer with an HTTPS listener using {algorithm} over all backends, whose TLS settings are:',
  async function (this: LbWorld, algorithm: string, settings: string) {
    await startTlsBalancer(this, algorithm, JSON.parse(settings) as Record<string, unknown>);
  },
);

async function offer(world: LbWorld, tls: Partial<TlsOffer>): Promise<TlsOutcome> {
  const { caPem } = await testPki();
  return requestOverTls(world.listenerAddress, caPem, { serverName, ...tls }, timeouts.requestMs);
}

const only = (version: string): { minVersion: SecureVersion; maxVersion: SecureVersion } => {
  const name = `TLSv${version}` as SecureVersion;
  return { minVersion: name, maxVersion: name };
};

/** The outcome was a backend's answer over TLS; else throws saying what came instead. */
function expectServed(outcome: TlsOutcome, what: string): asserts outcome is TlsOutcome & { kind: 'served' } {
  if (outcome.kind === 'refused')
    throw new ExpectationError(`expected ${what} to be served, but ${outcome.reason}`);
  const backend = outcome.answer.headers['x-backend-id'];
  if (outcome.answer.status !== 200 || backend === undefined) {
    throw new ExpectationError(
      `expected ${what} to be answered 200 by a backend, it got HTTP ${outcome.answer.status} ${JSON.stringify(outcome.answer.body.slice(0, 200))}`,
    );
  }
}

Then(
  "a client offering only TLS {word} is served, with the run's certificate for localhost",
  async function (this: LbWorld, version: string) {
    const what = `a client offering only TLS ${version}`;
    const outcome = await offer(this, only(version));
    expectServed(outcome, what);
    if (outcome.version !== `TLSv${version}`) {
      throw new ExpectationError(`expected ${what} to get TLS ${version}, it got ${outcome.version}`);
    }
    // The client checked the chain against the run's CA and the name; the names say which leaf it was.
    if (!outcome.certificateNames.includes(`DNS:${serverName}`)) {
      throw new ExpectationError(
        `expected the certificate for ${serverName}, the balancer sent one for ${outcome.certificateNames || '(no names)'}`,
      );
    }
  },
);

Then(
  'a client offering only TLS {word} fails the handshake',
  async function (this: LbWorld, version: string) {
    const outcome = await offer(this, only(version));
    if (outcome.kind === 'served') {
      throw new ExpectationError(
        `expected a client offering only TLS ${version} to fail the handshake, but it was served over ${outcome.version} (HTTP ${outcome.answer.status})`,
      );
    }
  },
);

Then(
  'a client offering ALPN {string} is served, with {string} or no protocol selected',
  async function (this: LbWorld, protocols: string, spoken: string) {
    const outcome = await offer(this, { alpn: protocols.split(/,\s*/) });
    expectServed(outcome, `a client offering ALPN ${protocols}`);
    if (outcome.alpn !== false && outcome.alpn !== spoken) {
      throw new ExpectationError(
        `expected ALPN to select ${spoken} or nothing from ${protocols}, it selected ${outcome.alpn} and then spoke HTTP/1.1`,
      );
    }
  },
);

Then(
  'a client offering ALPN {string} alone gets no protocol selected, or fails the handshake',
  async function (this: LbWorld, protocol: string) {
    const outcome = await offer(this, { alpn: [protocol] });
    if (outcome.kind === 'served' && outcome.alpn !== false) {
      throw new ExpectationError(
        `expected a listener that does not speak ${protocol} to select no protocol (or to refuse with no_application_protocol), it selected ${outcome.alpn}`,
      );
    }
  },
);

When('a client sends a request over TLS with header {string}', async function (this: LbWorld, line: string) {
  const [name, ...value] = line.split(':');
  const header: [string, string] = [(name as string).trim(), value.join(':').trim()];
  const outcome = await offer(this, { headers: { [header[0]]: header[1] } });
  expectServed(outcome, 'the request over TLS');
  recordRawExchange(this, [header], '/', outcome.answer);
});

Given(
  'a balancer with an HTTP listener using {algorithm} over all backends, speaking TLS to them as {string}',
  async function (this: LbWorld, algorithm: string, serverName: string) {
    const { caPem } = await testPki();
    await this.startBalancer(
      'http',
      algorithm,
      [...this.backends.keys()].map((id) => ({ id })),
      { tls: { ca: caPem, serverName } },
    );
  },
);

Given(
  "backend {word} serves a certificate for {string}, from the run's CA",
  async function (this: LbWorld, id: string, name: string) {
    await this.backend(id).serveCertificate(await (await testPki()).leaf([name]));
  },
);

Given(
  "backend {word} serves an expired certificate for localhost, from the run's CA",
  async function (this: LbWorld, id: string) {
    await this.backend(id).serveCertificate(
      await (await testPki()).leaf([serverName, '127.0.0.1'], { expired: true }),
    );
  },
);

Then(
  'every backend received its requests over TLS, with server name {string}',
  async function (this: LbWorld, expected: string) {
    for (const id of this.backends.keys()) {
      const arrivals = await this.backend(id).arrivals();
      if (arrivals.length === 0) throw new ExpectationError(`expected requests on ${id}, it received none`);
      const wrong = arrivals.filter((arrival) => arrival.tls?.serverName !== expected);
      const first = wrong[0];
      if (first) {
        throw new ExpectationError(
          `expected every request on ${id} to come over TLS with server name ${expected}, but ${wrong.length} of ${arrivals.length} came ${first.tls ? `with server name ${first.tls.serverName ?? '(none sent)'}` : 'without TLS'}`,
        );
      }
    }
  },
);

Then(
  'a client asking for {string} is answered by backend {word}, over its own certificate',
  async function (this: LbWorld, asked: string, id: string) {
    const outcome = await offer(this, { serverName: asked === '(no name)' ? '' : asked, checkName: false });
    expectServed(outcome, `a client asking for ${asked}`);
    const answeredBy = outcome.answer.headers['x-backend-id'];
    if (answeredBy !== id) {
      throw new ExpectationError(
        `expected a client asking for ${asked} to reach ${id}, it reached ${answeredBy}`,
      );
    }
    // The handshake was the backend's: it saw the name the client asked for.
    const echoed = JSON.parse(outcome.answer.body) as { tls?: { serverName: string | null } };
    const expected = asked === '(no name)' ? null : asked;
    if (echoed.tls?.serverName !== expected) {
      throw new ExpectationError(
        `expected ${id} to terminate the client's TLS itself, seeing server name ${expected ?? '(none)'}; it saw ${echoed.tls ? (echoed.tls.serverName ?? '(none)') : 'no TLS at all'}`,
      );
    }
  },
);

// The certificate a reload renewed, for the clients after it.
const renewal = topicState(() => ({ fingerprint: undefined as string | undefined }));

When("the listener's certificate is renewed by a reload", async function (this: LbWorld) {
  const { certificatePem, keyPem } = await (await testPki()).leaf([serverName, '127.0.0.1']);
  const config = this.config;
  await this.reconfigure({
    ...config,
    listeners: config.listeners.map((listener) =>
      listener.tls
        ? { ...listener, tls: { ...listener.tls, certificate: certificatePem, key: keyPem } }
        : listener,
    ),
  });
  renewal(this).fingerprint = new X509Certificate(certificatePem).fingerprint256;
});

Then('a new client is given the renewed certificate', async function (this: LbWorld) {
  const expected = renewal(this).fingerprint;
  if (expected === undefined) throw new Error('no certificate was renewed in this scenario');
  const outcome = await offer(this, {});
  expectServed(outcome, 'a new client');
  if (outcome.certificateFingerprint !== expected) {
    throw new ExpectationError(
      `expected the certificate the reload renewed (SHA-256 ${expected}), a new client was given ${outcome.certificateFingerprint}`,
    );
  }
});
