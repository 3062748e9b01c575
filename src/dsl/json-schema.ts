import { MAX_DECIMAL_PRECISION, SCALAR_TYPES } from './column-types.js';
import { COLUMN_NAME_PATTERN, JOB_FILE, PARTITION_ENTRY_PATTERN, type KeyEntry, type KeyShape } from './key-table.js';
import { BYTE_SIZE_PATTERN, DURATION_PATTERN } from './units.js';

type Schema = Record<string, unknown>;

function toSchema(shape: KeyShape): Schema {
  const description = shape.doc;
  switch (shape.kind) {
    case 'string': {
      const pattern = shape.format === 'duration' ? DURATION_PATTERN : shape.format === 'partition' ? PARTITION_ENTRY_PATTERN : shape.pattern;
      return { type: 'string', description, ...(pattern && { pattern }), ...(shape.minLength && { minLength: shape.minLength }), ...(shape.default !== undefined && { default: shape.default }) };
    }
    case 'enum':
      return { enum: [...shape.values], description, ...(shape.default !== undefined && { default: shape.default }) };
    case 'integer':
      return { type: 'integer', minimum: shape.minimum, description, ...(shape.default !== undefined && { default: shape.default }) };
    case 'bytes':
      return { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: BYTE_SIZE_PATTERN }], description, default: shape.defaultText };
    case 'any-object':
      return { type: 'object', description };
    case 'list':
      return { type: 'array', description, items: toSchema(shape.items), ...(shape.unique && { uniqueItems: true }), ...(shape.default && { default: [...shape.default] }) };
    case 'one-of':
      return { anyOf: shape.options.map(toSchema), description };
    case 'column-type':
      // draft-07 ignores keywords beside a $ref, so the description sits beside an allOf.
      return { allOf: [{ $ref: shape.nested ? '#/definitions/columnType' : '#/definitions/scalarColumnType' }], description };
    case 'object': {
      const entries = Object.entries(shape.keys) as [string, KeyEntry][];
      const required = entries.filter(([, e]) => e.required).map(([k]) => k);
      return {
        type: 'object',
        description,
        properties: Object.fromEntries(entries.map(([k, e]) => [k, toSchema(e)])),
        ...(required.length && { required }),
        additionalProperties: shape.otherKeys ? toSchema(shape.otherKeys) : false,
        ...(shape.otherKeysPattern && { propertyNames: { pattern: shape.otherKeysPattern } }),
        ...(shape.minKeys && { minProperties: shape.minKeys }),
        ...(shape.exclusive && { not: { required: [...shape.exclusive] } }),
        ...(shape.exactlyOne && { oneOf: shape.exactlyOne.map((k) => ({ required: [k] })) }),
      };
    }
  }
}

/**
 * The column types, recursive through struct, list and map. The pattern admits any decimal(p,s);
 * its bounds (p <= 38, s <= p) are left to `gamepipe validate`, which says which one is wrong.
 */
function columnTypeDefinitions(): Schema {
  const nested = { $ref: '#/definitions/columnType' };
  return {
    scalarColumnType: {
      anyOf: [{ enum: [...SCALAR_TYPES] }, { type: 'string', pattern: '^decimal\\s*\\(\\s*\\d{1,2}\\s*(,\\s*\\d{1,2}\\s*)?\\)$' }],
      description: `A scalar column type: ${SCALAR_TYPES.join(', ')}, or decimal(precision, scale) with precision 1 to ${MAX_DECIMAL_PRECISION} and scale 0 to precision.`,
    },
    columnType: {
      anyOf: [
        { $ref: '#/definitions/scalarColumnType' },
        {
          type: 'object', additionalProperties: false, required: ['struct'], description: 'A struct: its fields and their types, read from the event object\'s keys of those names.',
          properties: { struct: { type: 'object', minProperties: 1, propertyNames: { pattern: COLUMN_NAME_PATTERN }, additionalProperties: nested } },
        },
        { type: 'object', additionalProperties: false, required: ['list'], description: 'A list of elements of one type.', properties: { list: nested } },
        { type: 'object', additionalProperties: false, required: ['map'], description: 'A map from string keys to values of one type.', properties: { map: nested } },
      ],
    },
  };
}

/** The JSON Schema of a job file, generated from the key table the checker uses. */
export function jobJsonSchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://gamepipe.dev/schema/job.schema.json',
    title: 'gamepipe job file (*.job.yaml)',
    ...toSchema(JOB_FILE),
    definitions: columnTypeDefinitions(),
  };
}

/** The text of schema/job.schema.json, exactly as committed. */
export function jobJsonSchemaText(): string {
  return `${JSON.stringify(jobJsonSchema(), null, 2)}\n`;
}
