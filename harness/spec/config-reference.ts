/** Where the generated field reference is written (npm run generate) and checked (npm test). */
export const configReferencePath = 'docs/config-fields.md';

type Schema = Readonly<Record<string, unknown>>;

/** One field of the config: where it is, what it takes, whether it must be there, its default. */
export interface FieldRow {
  readonly path: string;
  readonly takes: string;
  readonly required: boolean;
  readonly defaultValue?: unknown;
  readonly description?: string;
}

/**
 * Every field the schema defines, depth first in the schema's order: `listeners[]` for an array's
 * items, `pools.*` for the values of a map; a field of several shapes lists the fields of each.
 * References are followed, and a field's own description wins over that of what it refers to.
 */
export function configFields(schema: Schema): FieldRow[] {
  const definitions = (schema.$defs ?? {}) as Record<string, Schema>;
  const resolve = (node: Schema): Schema => {
    const reference = node.$ref;
    if (typeof reference !== 'string') return node;
    const target = definitions[reference.replace('#/$defs/', '')];
    if (!target) throw new Error(`the schema refers to ${reference}, which it does not define`);
    // The field's own words win over those of what it refers to.
    const { $ref: _, ...own } = node;
    return { ...resolve(target), ...own };
  };
  const rows: FieldRow[] = [];
  const walk = (node: Schema, path: string, required: boolean, seen: ReadonlySet<Schema>): void => {
    const resolved = resolve(node);
    if (path !== '') rows.push(row(resolved, path, required));
    if (seen.has(resolved)) return;
    const inside = new Set([...seen, resolved]);
    const properties = (resolved.properties ?? {}) as Record<string, Schema>;
    const mandatory = new Set((resolved.required ?? []) as string[]);
    for (const [name, child] of Object.entries(properties))
      walk(child, path === '' ? name : `${path}.${name}`, mandatory.has(name), inside);
    // A field of several shapes: the fields of each, once, a field's values those of every shape.
    const variants = [...((resolved.oneOf ?? []) as Schema[]), ...((resolved.anyOf ?? []) as Schema[])].map(
      resolve,
    );
    const shared = new Map<string, Schema[]>();
    for (const variant of variants)
      for (const [name, child] of Object.entries((variant.properties ?? {}) as Record<string, Schema>))
        shared.set(name, [...(shared.get(name) ?? []), resolve(child)]);
    for (const [name, children] of shared) {
      const childPath = path === '' ? name : `${path}.${name}`;
      const everywhere = variants.every((variant) => ((variant.required ?? []) as string[]).includes(name));
      walk(unionOf(children), childPath, everywhere, inside);
    }
    if (typeof resolved.additionalProperties === 'object')
      walk(resolved.additionalProperties as Schema, `${path}.*`, false, inside);
    if (typeof resolved.items === 'object') walk(resolved.items as Schema, `${path}[]`, false, inside);
  };
  walk(schema, '', true, new Set());
  return rows;
}

// The shapes of one field across the variants of its parent: their values together, when each
// lists its values; else the first shape.
function unionOf(shapes: readonly Schema[]): Schema {
  const values = shapes.map((shape) => (shape.const !== undefined ? [shape.const] : shape.enum));
  if (shapes.length === 1 || !values.every(Array.isArray)) return shapes[0] as Schema;
  const { const: _, ...first } = shapes[0] as Schema;
  return { ...first, enum: [...new Set(values.flat())] };
}

function row(node: Schema, path: string, required: boolean): FieldRow {
  return {
    path,
    takes: takes(node),
    required,
    ...(node.default === undefined ? {} : { defaultValue: node.default }),
    ...(typeof node.description === 'string' ? { description: node.description } : {}),
  };
}

// What a field takes, in a few words: a type with its bounds, or its values.
function takes(node: Schema): string {
  if (node.const !== undefined) return `always ${JSON.stringify(node.const)}`;
  if (Array.isArray(node.enum)) return `one of ${node.enum.map((value) => JSON.stringify(value)).join(', ')}`;
  const kind =
    node.type ?? (node.properties ? 'object' : node.oneOf || node.anyOf ? 'one of several shapes' : 'any');
  const bounds = [
    node.minimum === undefined ? '' : `≥ ${node.minimum}`,
    node.maximum === undefined ? '' : `≤ ${node.maximum}`,
    node.minLength === undefined ? '' : `≥ ${node.minLength} characters`,
    node.minItems === undefined ? '' : `≥ ${node.minItems} items`,
  ].filter(Boolean);
  return `${Array.isArray(kind) ? kind.join(' or ') : String(kind)}${bounds.length > 0 ? ` (${bounds.join(', ')})` : ''}`;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** docs/config-fields.md: every field with what it takes, whether required, its default, its meaning. */
export function configReference(schema: Schema): string {
  const lines = [
    '# Config fields',
    '',
    'Generated by `npm run generate` from schema/config.v1.schema.json; `npm test` fails when',
    'it is stale. [config.md](config.md) introduces the config with an example; a config with a',
    'property not listed here is rejected.',
    '',
    '| field | takes | required | default | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...configFields(schema).map(
      (field) =>
        `| \`${field.path}\` | ${cell(field.takes)} | ${field.required ? 'yes' : ''} | ${field.defaultValue === undefined ? '' : `\`${cell(JSON.stringify(field.defaultValue))}\``} | ${cell(field.description ?? '')} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
