import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingEngine, ownerLabels } from './engine.ts';
import { sharedLibraries } from './images.ts';

test('a missing engine is explained with both ways out', () => {
  const error = missingEngine(new Error('Could not find a working container runtime strategy\nstack'));
  assert.equal(
    error.message,
    'no Docker engine is reachable (Could not find a working container runtime strategy). Start one as root with ' +
      '"dockerd --bridge=none --iptables=false &" (Debian package docker.io), or use process backends: ' +
      'npx cucumber-js without -p containers',
  );
});

test('containers are labelled with the owning process, so leftovers can be found', () => {
  assert.equal(ownerLabels['org.lbspec.managed'], 'true');
  assert.equal(ownerLabels['org.lbspec.owner-pid'], String(process.pid));
});

test('the shared libraries of a binary are read from ldd output, loader included', () => {
  const ldd = [
    '\tlinux-vdso.so.1 (0x00007ffd)',
    '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f)',
    '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)',
    '\t/lib64/ld-linux-x86-64.so.2 (0x00007f)',
  ].join('\n');
  assert.deepEqual(sharedLibraries(ldd), [
    '/lib/x86_64-linux-gnu/libstdc++.so.6',
    '/lib/x86_64-linux-gnu/libc.so.6',
    '/lib64/ld-linux-x86-64.so.2',
  ]);
});
