import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PortAllocator } from './ports.ts';

test('two runs drawing from the same slice never get the same port while they hold it', async () => {
  // Worker 11's slice, which a test run of this suite is unlikely to be using.
  const first = new PortAllocator(11);
  const second = new PortAllocator(11);
  const taken = new Set<number>();
  for (let i = 0; i < 50; i++) {
    for (const allocator of [first, second]) {
      const port = await allocator.allocate();
      assert.ok(!taken.has(port), `port ${port} handed out twice`);
      taken.add(port);
    }
  }
  first.releaseAll();
  second.releaseAll();
});

test('a claim left by a process that no longer runs is taken over', async () => {
  const allocator = new PortAllocator(11);
  const port = await allocator.allocate();
  allocator.releaseAll();
  // A claim on every port of the slice, by a pid that cannot exist, except that none is live.
  const claim = join(tmpdir(), 'lbspec-port-claims', String(port));
  mkdirSync(claim, { recursive: true });
  writeFileSync(join(claim, 'pid'), '2147483646');
  const again = new PortAllocator(11);
  const ports = new Set<number>();
  for (let i = 0; i < 1000 && !ports.has(port); i++) ports.add(await again.allocate());
  assert.ok(ports.has(port), `the stale claim on ${port} was never taken over`);
  again.releaseAll();
});
