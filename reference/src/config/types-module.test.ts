import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { typesModuleSource } from './types-module.ts';
import { configSchema } from './validate.ts';

test("the config types are the current schema's", () => {
  const generated = readFileSync(new URL('config-types.generated.ts', import.meta.url), 'utf8');
  assert.ok(
    generated === typesModuleSource(configSchema),
    'reference/src/config/config-types.generated.ts was generated from another schema: run `npm run generate`',
  );
});

const schema = {
  type: 'object',
  required: ['pools'],
  properties: { pools: { type: 'object', additionalProperties: { $ref: '#/$defs/pool' } } },
  $defs: {
    name: { type: 'string' },
    pool: {
      type: 'object',
      description: 'A pool.',
      required: ['backends'],
      properties: {
        backends: { type: 'array', items: { $ref: '#/$defs/name' } },
        algorithm: { enum: ['round_robin', 'random'], default: 'round_robin' },
        retryOn: { type: 'array', items: { anyOf: [{ const: 'reset' }, { type: 'integer' }] } },
        path: {
          type: 'object',
          minProperties: 1,
          maxProperties: 1,
          properties: { exact: { type: 'string' }, prefix: { type: 'string' } },
        },
      },
    },
  },
};

test('a field with a default may be left out of a document and is always there once loaded', () => {
  const source = typesModuleSource(schema);
  assert.match(
    source,
    /export interface PoolDocument \{[\s\S]*?readonly algorithm\?: 'round_robin' \| 'random';/,
  );
  assert.match(
    source,
    /export interface PoolConfig \{[\s\S]*?readonly algorithm: 'round_robin' \| 'random';/,
  );
  assert.match(source, /readonly backends: readonly string\[\];/);
  assert.match(source, /readonly pools: Readonly<Record<string, PoolConfig>>;/);
  assert.match(source, /readonly pools: Readonly<Record<string, PoolDocument>>;/);
});

test('fields loading adds are in the loaded shape only', () => {
  const source = typesModuleSource(schema);
  const loaded = source.slice(source.indexOf('export interface PoolConfig'));
  const written = source.slice(
    source.indexOf('export interface PoolDocument'),
    source.indexOf('export interface ConfigDocument'),
  );
  assert.match(loaded, /readonly name: string;/);
  assert.doesNotMatch(written, /readonly name: string;/);
});

test("exactly one of an object's optional fields becomes a union; a union in an array is bracketed", () => {
  const source = typesModuleSource(schema);
  assert.match(
    source,
    /readonly path\?: \(\{\n\s+readonly exact: string;\n\s+\} \| \{\n\s+readonly prefix: string;\n\s+\}\);/,
  );
  assert.match(source, /readonly retryOn\?: readonly \('reset' \| number\)\[\];/);
});

test('descriptions become doc comments; a node the generator cannot type is an error naming it', () => {
  assert.match(typesModuleSource(schema), /\/\*\*\n \* A pool\.\n \*\/\nexport interface PoolDocument/);
  assert.throws(
    () => typesModuleSource({ type: 'object', properties: { when: { type: 'null' } } }),
    /cannot type: \{"type":"null"\}/,
  );
  assert.throws(
    () => typesModuleSource({ type: 'object', properties: { pool: { $ref: '#/$defs/missing' } } }),
    /refers to #\/\$defs\/missing, which it does not define/,
  );
});
