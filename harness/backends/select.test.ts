import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backendReuseSetting, selectBackendProvider } from './select.ts';

test('backends are reused unless LBSPEC_BACKEND_REUSE is "off"; anything else is refused', () => {
  assert.equal(backendReuseSetting(undefined), true);
  assert.equal(backendReuseSetting(''), true);
  assert.equal(backendReuseSetting('on'), true);
  assert.equal(backendReuseSetting('off'), false);
  assert.throws(() => backendReuseSetting('no'), /LBSPEC_BACKEND_REUSE="no" is not a setting: use "on"/);
});

test('the provider comes from LBSPEC_BACKENDS, then the profile, then "process"', () => {
  assert.equal(selectBackendProvider(undefined, {}).name, 'process');
  assert.equal(selectBackendProvider('container', {}).name, 'container');
  assert.equal(selectBackendProvider('container', { LBSPEC_BACKENDS: 'process' }).name, 'process');
  assert.throws(
    () => selectBackendProvider('vm', {}),
    /unknown backend provider "vm".*known: process, container/,
  );
});
