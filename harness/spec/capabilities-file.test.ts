import assert from 'node:assert/strict';
import test from 'node:test';
import { allCapabilities } from './capabilities.ts';
import { capabilityTable, parseCapabilitiesFile } from './capabilities-file.ts';

test('the table shape: true, false or {"supported": ...}; a reason is kept; unnamed ones are off', () => {
  const declared = parseCapabilitiesFile(
    {
      capabilities: {
        l7: { supported: true, meaning: 'ignored' },
        'round-robin': true,
        l4: { supported: false, reason: 'HTTP only' },
        random: false,
      },
    },
    'lbspec.json',
  );
  assert.deepEqual(declared.supported, ['l7', 'round-robin']);
  assert.equal(declared.reasons.l4, 'HTTP only');
  assert.equal(declared.reasons.random, 'switched off in lbspec.json');
  assert.equal(declared.reasons.websocket, 'switched off in lbspec.json');
});

test('the list shape is read as before', () => {
  const declared = parseCapabilitiesFile({ supported: ['l7'], unsupported: { l4: 'no' } }, 'caps.json');
  assert.deepEqual(declared.supported, ['l7']);
  assert.equal(declared.reasons.l4, 'no');
  assert.equal(declared.reasons.random, 'not declared in caps.json');
});

test('a file the suite cannot read says what is wrong and where', () => {
  assert.throws(() => parseCapabilitiesFile([], 'a.json'), /^Error: a\.json: expected \{"capabilities"/);
  assert.throws(
    () => parseCapabilitiesFile({ capabilities: { 'round-robn': true } }, 'a.json'),
    /a\.json: "capabilities" names unknown capability "round-robn"; `lbspec list capabilities`/,
  );
  assert.throws(
    () => parseCapabilitiesFile({ capabilities: { l7: 'yes' } }, 'a.json'),
    /capabilities\."l7" must be true, false or \{"supported": true\|false\}, not "yes"/,
  );
  assert.throws(
    () => parseCapabilitiesFile({ supported: ['l7'], unsupported: ['l4'] }, 'a.json'),
    /"unsupported" must map capabilities to reasons/,
  );
  assert.throws(
    () => parseCapabilitiesFile({ supported: [7] }, 'a.json'),
    /"supported" names unknown capability 7/,
  );
});

test('the table lbspec init writes lists every capability, all off, and reads back as nothing supported', () => {
  const table = capabilityTable();
  assert.deepEqual(Object.keys(table), allCapabilities);
  assert.ok(Object.values(table).every((entry) => entry.supported === false && entry.meaning.length > 10));
  assert.deepEqual(parseCapabilitiesFile({ capabilities: table }, 'lbspec.json').supported, []);
});
