import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import { type AddressInfo, createServer } from 'node:net';
import { test } from 'node:test';
import { Balancer } from './balancer.ts';
import type { BalancerConfig } from './config/types.ts';
import { validateConfig } from './config/validate.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function config(address: string, http2: boolean): BalancerConfig {
  const checked = validateConfig({
    version: 1,
    listeners: [{ name: 'main', protocol: 'http', address, pool: 'p', http2 }],
    pools: { p: { backends: [{ id: 'b1', address: '127.0.0.1:9' }] } },
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  return checked.config;
}

/** Whether the listener at `address` takes an HTTP/2 connection with prior knowledge. */
function speaksH2c(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const session = connect(`http://${address}`);
    session.once('remoteSettings', () => {
      session.destroy();
      resolve(true);
    });
    session.once('error', () => resolve(false));
  });
}

test('a reload that turns HTTP/2 on, then off, serves it on the same address', async () => {
  const address = `127.0.0.1:${await freePort()}`;
  const balancer = await Balancer.start(config(address, false), 'a');
  try {
    assert.equal(await speaksH2c(address), false);
    await balancer.apply(config(address, true), 'b');
    assert.equal(await speaksH2c(address), true);
    await balancer.apply(config(address, false), 'c');
    assert.equal(await speaksH2c(address), false);
  } finally {
    await balancer.close(0);
  }
});
