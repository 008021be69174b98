// A certificate authority made when a run starts, and the certificates it signs: nothing private
// is ever written to the repository, and each run trusts only its own CA.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto is the standard one; its type is node's own, without the DOM library.
x509.cryptoProvider.set(webcrypto as never);

// P-256 keys: made in well under a millisecond, where RSA keys take tens of them.
const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const dayMs = 24 * 60 * 60 * 1000;

/** A certificate (PEM) and its private key (PKCS #8 PEM). */
export interface CertifiedKey {
  readonly certificatePem: string;
  readonly keyPem: string;
}

export interface LeafOptions {
  /** Valid from a day before now until an hour ago. */
  readonly expired?: boolean;
}

/** The run's CA: its certificate, for clients to trust, and the leaves it signs. */
export interface TestPki {
  readonly caPem: string;
  /** A server certificate for `names` (DNS names or IP addresses), signed by the CA. */
  leaf(names: readonly string[], options?: LeafOptions): Promise<CertifiedKey>;
}

let shared: Promise<TestPki> | undefined;

/** This process's test CA, made on first use. */
export function testPki(): Promise<TestPki> {
  shared ??= makePki();
  return shared;
}

async function makePki(): Promise<TestPki> {
  const caKeys = await newKeys();
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: 'CN=lbspec run CA',
    notBefore: new Date(now - dayMs),
    notAfter: new Date(now + 7 * dayMs),
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return {
    caPem: ca.toString('pem'),
    async leaf(names, options = {}) {
      const keys = await newKeys();
      const issuedAt = Date.now();
      const certificate = await x509.X509CertificateGenerator.create({
        serialNumber: serialNumber(),
        subject: `CN=${names[0] ?? 'lbspec'}`,
        issuer: ca.subject,
        notBefore: new Date(issuedAt - dayMs),
        notAfter: new Date(options.expired ? issuedAt - 60 * 60 * 1000 : issuedAt + 7 * dayMs),
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: algorithm,
        extensions: [
          new x509.SubjectAlternativeNameExtension(
            names.map((name) => ({ type: isIP(name) ? 'ip' : 'dns', value: name })),
          ),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        ],
      });
      const key = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
      return {
        certificatePem: certificate.toString('pem'),
        keyPem: x509.PemConverter.encode(key, 'PRIVATE KEY'),
      };
    },
  };
}

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

/** 16 random bytes, the top bit clear: a positive serial, unique without bookkeeping. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f;
  return bytes.toString('hex');
}
