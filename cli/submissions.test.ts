import assert from 'node:assert/strict';
import test from 'node:test';
import { parseSubmissionOption, parseSubmissions } from './submissions.ts';

test('a submissions file: names, commands or images, paths relative to the file', () => {
  const submissions = parseSubmissions(
    {
      submissions: [
        {
          name: 'alice',
          command: './lb --config {config}',
          directory: 'alice',
          capabilitiesFile: 'alice/caps.json',
        },
        { name: 'bob', image: 'bob/lb:1', capabilities: 'l7,round-robin', reload: 'sighup' },
      ],
    },
    '/grading/submissions.json',
  );
  assert.deepEqual(submissions, [
    {
      name: 'alice',
      settings: {
        LBSPEC_NAME: 'alice',
        LBSPEC_COMMAND: './lb --config {config}',
        LBSPEC_WORKDIR: '/grading/alice',
        LBSPEC_CAPABILITIES_FILE: '/grading/alice/caps.json',
        LBSPEC_ADAPTER: 'command',
      },
    },
    {
      name: 'bob',
      settings: {
        LBSPEC_NAME: 'bob',
        LBSPEC_IMAGE: 'bob/lb:1',
        LBSPEC_CAPABILITIES: 'l7,round-robin',
        LBSPEC_RELOAD: 'sighup',
        LBSPEC_ADAPTER: 'container',
      },
    },
  ]);
  assert.deepEqual(parseSubmissions([{ name: 'c', command: 'x {config}' }], '/g/s.json')[0]?.name, 'c');
});

test('a submissions file with a mistake says which entry and what is wrong', () => {
  assert.throws(() => parseSubmissions({}, 's.json'), /s\.json: expected \{"submissions"/);
  assert.throws(
    () => parseSubmissions([{ name: 'a/b', command: 'x' }], 's.json'),
    /submission 1: "name" must be letters/,
  );
  assert.throws(() => parseSubmissions([{ name: 'a' }], 's.json'), /submission 1 \(a\): needs "command"/);
  assert.throws(() => parseSubmissions([{ name: 'a', comand: 'x' }], 's.json'), /unknown key "comand"/);
  assert.throws(
    () => parseSubmissions([{ name: 'a', command: 'x', image: 'y' }], 's.json'),
    /a command or an image, not both/,
  );
  assert.throws(
    () =>
      parseSubmissions(
        [
          { name: 'a', command: 'x' },
          { name: 'a', command: 'y' },
        ],
        's.json',
      ),
    /two submissions are named "a"/,
  );
});

test('--submission NAME=COMMAND', () => {
  assert.deepEqual(parseSubmissionOption('alice=./lb --config {config}'), {
    name: 'alice',
    settings: { LBSPEC_NAME: 'alice', LBSPEC_ADAPTER: 'command', LBSPEC_COMMAND: './lb --config {config}' },
  });
  assert.throws(() => parseSubmissionOption('./lb --config {config}'), /expected NAME=COMMAND/);
  assert.throws(() => parseSubmissionOption('alice='), /expected NAME=COMMAND/);
});
