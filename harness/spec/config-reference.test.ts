import assert from 'node:assert/strict';
import test from 'node:test';
import { configFields } from './config-reference.ts';

test('every field: nested objects, array items, map values, references and shapes of several kinds', () => {
  const schema = {
    type: 'object',
    required: ['listeners'],
    properties: {
      listeners: { type: 'array', minItems: 1, items: { $ref: '#/$defs/listener' } },
      pools: { type: 'object', additionalProperties: { $ref: '#/$defs/pool' } },
    },
    $defs: {
      name: { type: 'string', description: 'An identifier.' },
      listener: {
        type: 'object',
        required: ['name'],
        properties: { name: { $ref: '#/$defs/name', description: 'Its own words.' } },
      },
      pool: {
        type: 'object',
        properties: {
          algorithm: { enum: ['round_robin', 'random'], default: 'round_robin' },
          key: {
            oneOf: [
              {
                type: 'object',
                required: ['from'],
                properties: { from: { const: 'header' }, name: { type: 'string' } },
              },
              { type: 'object', required: ['from'], properties: { from: { const: 'client-ip' } } },
            ],
          },
        },
      },
    },
  };
  assert.deepEqual(
    configFields(schema).map((field) => [
      field.path,
      field.takes,
      field.required,
      field.defaultValue,
      field.description,
    ]),
    [
      ['listeners', 'array (≥ 1 items)', true, undefined, undefined],
      ['listeners[]', 'object', false, undefined, undefined],
      ['listeners[].name', 'string', true, undefined, 'Its own words.'],
      ['pools', 'object', false, undefined, undefined],
      ['pools.*', 'object', false, undefined, undefined],
      ['pools.*.algorithm', 'one of "round_robin", "random"', false, 'round_robin', undefined],
      ['pools.*.key', 'one of several shapes', false, undefined, undefined],
      ['pools.*.key.from', 'one of "header", "client-ip"', true, undefined, undefined],
      ['pools.*.key.name', 'string', false, undefined, undefined],
    ],
  );
  assert.throws(
    () => configFields({ properties: { a: { $ref: '#/$defs/none' } } }),
    /refers to #\/\$defs\/none/,
  );
});
