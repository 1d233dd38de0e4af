// Turns a tool's inputSchema (JSON Schema) into form fields, and form values back into arguments.
// Strings, numbers, integers, booleans, enums and arrays of those get their own inputs; anything
// else (nested objects, unions) is edited as JSON.

export type JsonSchema = Record<string, unknown>;

export type PrimitiveKind = 'string' | 'number' | 'integer' | 'boolean';
export type FieldKind = PrimitiveKind | 'enum' | 'array' | 'json';

export interface SchemaField {
  name: string;
  label: string;
  description?: string;
  required: boolean;
  kind: FieldKind;
  /** enum: the allowed values. */
  options?: unknown[];
  /** array: the kind of its items. */
  itemKind?: PrimitiveKind | 'enum';
  itemOptions?: unknown[];
  defaultValue?: unknown;
  multiline?: boolean;
  minimum?: number;
  maximum?: number;
  schema: JsonSchema;
}

/** string for text, numbers, enums (option index) and JSON; string[] for arrays. */
export type FieldValue = string | string[];
export type FormValues = Record<string, FieldValue>;

function asSchema(value: unknown): JsonSchema {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as JsonSchema) : {};
}

/** The one non-null type a schema names, if it names exactly one. */
function singleType(schema: JsonSchema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') {
    return type;
  }
  if (Array.isArray(type)) {
    const real = type.filter((t) => t !== 'null');
    return real.length === 1 && typeof real[0] === 'string' ? real[0] : undefined;
  }
  return undefined;
}

function enumOf(schema: JsonSchema): unknown[] | undefined {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return schema.enum;
  }
  if ('const' in schema) {
    return [schema.const];
  }
  return undefined;
}

const PRIMITIVES = new Set(['string', 'number', 'integer', 'boolean']);

function describe(name: string, schema: JsonSchema, required: boolean): SchemaField {
  const field: SchemaField = {
    name,
    label: typeof schema.title === 'string' && schema.title ? schema.title : name,
    description: typeof schema.description === 'string' ? schema.description : undefined,
    required,
    kind: 'json',
    defaultValue: schema.default,
    schema,
  };
  if (typeof schema.minimum === 'number') {
    field.minimum = schema.minimum;
  }
  if (typeof schema.maximum === 'number') {
    field.maximum = schema.maximum;
  }
  const options = enumOf(schema);
  const type = singleType(schema);
  if (options && options.every((o) => o === null || typeof o !== 'object')) {
    field.kind = 'enum';
    field.options = options;
  } else if (type && PRIMITIVES.has(type) && !schema.anyOf && !schema.oneOf) {
    field.kind = type as PrimitiveKind;
    field.multiline =
      type === 'string' && typeof schema.maxLength === 'number' && schema.maxLength > 256;
  } else if (type === 'array') {
    const items = asSchema(schema.items);
    const itemOptions = enumOf(items);
    const itemType = singleType(items);
    if (itemOptions && itemOptions.every((o) => o === null || typeof o !== 'object')) {
      field.kind = 'array';
      field.itemKind = 'enum';
      field.itemOptions = itemOptions;
    } else if (itemType && PRIMITIVES.has(itemType) && !items.anyOf && !items.oneOf) {
      field.kind = 'array';
      field.itemKind = itemType as PrimitiveKind;
    }
  }
  return field;
}

/** The fields of an object schema's properties, required ones first in declaration order. */
export function schemaFields(schema: unknown): SchemaField[] {
  const root = asSchema(schema);
  const properties = asSchema(root.properties);
  const required = new Set(Array.isArray(root.required) ? root.required.map(String) : []);
  return Object.entries(properties).map(([name, sub]) =>
    describe(name, asSchema(sub), required.has(name)),
  );
}

function optionIndex(options: unknown[], value: unknown): string {
  const i = options.findIndex((o) => JSON.stringify(o) === JSON.stringify(value));
  return i >= 0 ? String(i) : '';
}

/** Starting values: defaults where the schema gives them, else empty. */
export function initialValues(fields: SchemaField[]): FormValues {
  const values: FormValues = {};
  for (const f of fields) {
    const d = f.defaultValue;
    switch (f.kind) {
      case 'enum':
        values[f.name] = d === undefined ? '' : optionIndex(f.options ?? [], d);
        break;
      case 'array':
        values[f.name] = Array.isArray(d)
          ? d.map((x) => (f.itemKind === 'enum' ? optionIndex(f.itemOptions ?? [], x) : String(x)))
          : [];
        break;
      case 'json':
        values[f.name] = d === undefined ? '' : JSON.stringify(d, null, 2);
        break;
      case 'boolean':
        values[f.name] = d === undefined ? (f.required ? 'false' : '') : String(Boolean(d));
        break;
      default:
        values[f.name] = d === undefined || d === null ? '' : String(d);
    }
  }
  return values;
}

function convert(
  kind: PrimitiveKind | 'enum',
  text: string,
  options: unknown[] | undefined,
  field: SchemaField,
): { value?: unknown; error?: string } {
  switch (kind) {
    case 'string':
      return { value: text };
    case 'boolean':
      return { value: text === 'true' };
    case 'enum': {
      const i = Number(text);
      return options && i >= 0 && i < options.length
        ? { value: options[i] }
        : { error: 'choose one of the options' };
    }
    case 'number':
    case 'integer': {
      const n = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(n)) {
        return { error: 'must be a number' };
      }
      if (kind === 'integer' && !Number.isInteger(n)) {
        return { error: 'must be a whole number' };
      }
      if (field.minimum !== undefined && n < field.minimum) {
        return { error: `must be at least ${field.minimum}` };
      }
      if (field.maximum !== undefined && n > field.maximum) {
        return { error: `must be at most ${field.maximum}` };
      }
      return { value: n };
    }
  }
}

export interface BuiltArguments {
  args: Record<string, unknown>;
  /** Field name → what is wrong with it; empty when the arguments are complete. */
  errors: Record<string, string>;
}

/** The tool arguments the form values make; fields left empty are left out. */
export function buildArguments(fields: SchemaField[], values: FormValues): BuiltArguments {
  const args: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = values[f.name];
    if (f.kind === 'array') {
      const items = (Array.isArray(raw) ? raw : []).filter((x) => x.trim() !== '');
      if (items.length === 0) {
        if (f.required) {
          errors[f.name] = 'is required';
        }
        continue;
      }
      const out: unknown[] = [];
      for (const [i, item] of items.entries()) {
        const { value, error } = convert(f.itemKind ?? 'string', item, f.itemOptions, f);
        if (error) {
          errors[f.name] = `item ${i + 1} ${error}`;
          break;
        }
        out.push(value);
      }
      args[f.name] = out;
      continue;
    }
    const text = typeof raw === 'string' ? raw : '';
    if (text === '' || (f.kind !== 'string' && text.trim() === '')) {
      if (f.required) {
        errors[f.name] = 'is required';
      }
      continue;
    }
    if (f.kind === 'json') {
      try {
        args[f.name] = JSON.parse(text);
      } catch (err) {
        errors[f.name] = `is not valid JSON (${err instanceof Error ? err.message : String(err)})`;
      }
      continue;
    }
    const { value, error } = convert(f.kind, text, f.options, f);
    if (error) {
      errors[f.name] = error;
    } else {
      args[f.name] = value;
    }
  }
  return { args, errors };
}

/** Form values from an arguments object (when switching back from raw JSON editing). */
export function valuesFromArguments(fields: SchemaField[], args: Record<string, unknown>): FormValues {
  const values = initialValues(fields.map((f) => ({ ...f, defaultValue: undefined })));
  for (const f of fields) {
    if (!(f.name in args)) {
      continue;
    }
    const v = args[f.name];
    switch (f.kind) {
      case 'enum':
        values[f.name] = optionIndex(f.options ?? [], v);
        break;
      case 'array':
        values[f.name] = Array.isArray(v)
          ? v.map((x) => (f.itemKind === 'enum' ? optionIndex(f.itemOptions ?? [], x) : String(x)))
          : [];
        break;
      case 'json':
        values[f.name] = JSON.stringify(v, null, 2);
        break;
      default:
        values[f.name] = v === null || v === undefined ? '' : String(v);
    }
  }
  return values;
}

/** How an enum option reads in a select. */
export function optionLabel(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
