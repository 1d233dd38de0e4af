import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';

import { buildArguments, initialValues, schemaFields, valuesFromArguments } from '../lib/schemaForm';
import type { FormValues } from '../lib/schemaForm';
import { SchemaForm } from './SchemaForm';

const SCHEMA = {
  type: 'object',
  properties: {
    message: { type: 'string', description: 'Text to echo back' },
    count: { type: 'integer', minimum: 1, default: 3 },
    ratio: { type: 'number' },
    loud: { type: 'boolean' },
    mode: { type: 'string', enum: ['fast', 'slow'] },
    level: { enum: [1, 2, 3] },
    tags: { type: 'array', items: { type: 'string' } },
    sizes: { type: 'array', items: { type: 'number' } },
    options: { type: 'object', properties: { deep: { type: 'boolean' } } },
    either: { anyOf: [{ type: 'string' }, { type: 'number' }] },
    nullable: { type: ['string', 'null'], title: 'Maybe' },
  },
  required: ['message', 'mode'],
};

function Harness({ onArgs }: { onArgs: (v: ReturnType<typeof buildArguments>) => void }) {
  const fields = schemaFields(SCHEMA);
  const [values, setValues] = useState<FormValues>(initialValues(fields));
  return (
    <>
      <SchemaForm fields={fields} values={values} onChange={setValues} idPrefix="t" />
      <button type="button" onClick={() => onArgs(buildArguments(fields, values))}>
        build
      </button>
    </>
  );
}

describe('schema form generation', () => {
  it('chooses an input per JSON Schema type and falls back to JSON for the rest', () => {
    const kinds = Object.fromEntries(schemaFields(SCHEMA).map((f) => [f.name, f.kind]));
    expect(kinds).toEqual({
      message: 'string',
      count: 'integer',
      ratio: 'number',
      loud: 'boolean',
      mode: 'enum',
      level: 'enum',
      tags: 'array',
      sizes: 'array',
      options: 'json',
      either: 'json',
      nullable: 'string',
    });
    expect(schemaFields({ type: 'object' })).toEqual([]);
    expect(schemaFields(undefined)).toEqual([]);
  });

  it('renders labelled inputs with help text and required marks', () => {
    render(<Harness onArgs={() => {}} />);
    const message = screen.getByLabelText(/^message/);
    expect(message).toHaveAttribute('type', 'text');
    expect(message).toHaveAttribute('aria-required', 'true');
    expect(message).toHaveAccessibleDescription('Text to echo back');
    expect(screen.getByLabelText(/^count/)).toHaveAttribute('type', 'number');
    expect(screen.getByLabelText(/^count/)).toHaveValue(3);
    expect(screen.getByLabelText(/^mode/).tagName).toBe('SELECT');
    expect(screen.getByLabelText(/^loud/).tagName).toBe('SELECT');
    expect(screen.getByLabelText(/^options/).tagName).toBe('TEXTAREA');
    expect(screen.getByLabelText(/^Maybe/)).toHaveAttribute('type', 'text');
    expect(screen.getByRole('group', { name: /^tags/ })).toBeInTheDocument();
  });

  it('builds typed arguments and leaves empty optional fields out', async () => {
    let built: ReturnType<typeof buildArguments> | undefined;
    render(<Harness onArgs={(v) => (built = v)} />);
    await userEvent.type(screen.getByLabelText(/^message/), 'hello');
    await userEvent.selectOptions(screen.getByLabelText(/^mode/), 'slow');
    await userEvent.selectOptions(screen.getByLabelText(/^level/), '3');
    await userEvent.selectOptions(screen.getByLabelText(/^loud/), 'false');
    await userEvent.type(screen.getByLabelText('tags item 1'), 'a');
    await userEvent.click(screen.getByRole('button', { name: 'Add item to tags' }));
    await userEvent.type(screen.getByLabelText('tags item 2'), 'b');
    await userEvent.type(screen.getByLabelText('sizes item 1'), '1.5');
    fireEvent.change(screen.getByLabelText(/^options/), { target: { value: '{"deep": true}' } });
    await userEvent.click(screen.getByRole('button', { name: 'build' }));
    expect(built?.errors).toEqual({});
    expect(built?.args).toEqual({
      message: 'hello',
      count: 3,
      loud: false,
      mode: 'slow',
      level: 3,
      tags: ['a', 'b'],
      sizes: [1.5],
      options: { deep: true },
    });
  });

  it('names what is missing or wrong', () => {
    const fields = schemaFields(SCHEMA);
    const values = { ...initialValues(fields), count: '2.5', options: '{nope', sizes: ['x'] };
    const { errors } = buildArguments(fields, values);
    expect(errors.message).toBe('is required');
    expect(errors.mode).toBe('is required');
    expect(errors.count).toBe('must be a whole number');
    expect(errors.options).toMatch(/^is not valid JSON/);
    expect(errors.sizes).toBe('item 1 must be a number');
    expect(buildArguments(fields, { ...values, count: '0' }).errors.count).toBe('must be at least 1');
  });

  it('round-trips arguments through the form values', () => {
    const fields = schemaFields(SCHEMA);
    const args = { message: 'x', mode: 'fast', level: 2, tags: ['q'], options: { deep: false }, loud: true };
    expect(buildArguments(fields, valuesFromArguments(fields, args)).args).toEqual(args);
  });

  it('says when a tool takes no arguments', () => {
    render(<SchemaForm fields={[]} values={{}} onChange={() => {}} />);
    expect(screen.getByText('This tool takes no arguments.')).toBeInTheDocument();
  });
});
