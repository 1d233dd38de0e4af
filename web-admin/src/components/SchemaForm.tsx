// The arguments form of a tool, generated from its inputSchema.
import { useId } from 'react';

import { optionLabel } from '../lib/schemaForm';
import type { FieldValue, FormValues, SchemaField } from '../lib/schemaForm';

interface Props {
  fields: SchemaField[];
  values: FormValues;
  errors?: Record<string, string>;
  onChange: (values: FormValues) => void;
  /** Prefix of input ids, unique per form on a page. */
  idPrefix?: string;
}

function typeHint(f: SchemaField): string {
  switch (f.kind) {
    case 'array':
      return `list of ${f.itemKind === 'enum' ? 'choices' : f.itemKind}`;
    case 'json':
      return 'JSON';
    case 'enum':
      return 'choice';
    default:
      return f.kind;
  }
}

function ArrayInput({ field, value, onChange, id, describedBy }: {
  field: SchemaField;
  value: string[];
  onChange: (v: string[]) => void;
  id: string;
  describedBy?: string;
}) {
  const rows = value.length > 0 ? value : [''];
  const set = (i: number, v: string) => onChange(rows.map((old, j) => (j === i ? v : old)));
  return (
    <div className="array-input" role="group" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
      {rows.map((item, i) => {
        const itemLabel = `${field.label} item ${i + 1}`;
        return (
          <div className="array-row" key={i}>
            {field.itemKind === 'enum' ? (
              <select aria-label={itemLabel} id={i === 0 ? id : undefined} value={item} onChange={(e) => set(i, e.target.value)}>
                <option value="">(choose)</option>
                {(field.itemOptions ?? []).map((o, k) => (
                  <option key={k} value={String(k)}>
                    {optionLabel(o)}
                  </option>
                ))}
              </select>
            ) : field.itemKind === 'boolean' ? (
              <select aria-label={itemLabel} id={i === 0 ? id : undefined} value={item} onChange={(e) => set(i, e.target.value)}>
                <option value="">(choose)</option>
                <option value="true">true</option>
                <option value="false">false</option>
              </select>
            ) : (
              <input
                aria-label={itemLabel}
                id={i === 0 ? id : undefined}
                type={field.itemKind === 'string' ? 'text' : 'number'}
                step={field.itemKind === 'integer' ? 1 : 'any'}
                value={item}
                onChange={(e) => set(i, e.target.value)}
              />
            )}
            <button
              type="button"
              className="ghost small"
              aria-label={`Remove ${itemLabel}`}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
              disabled={rows.length === 1 && item === ''}
            >
              Remove
            </button>
          </div>
        );
      })}
      <button type="button" className="secondary small" onClick={() => onChange([...rows, ''])}>
        Add item to {field.label}
      </button>
    </div>
  );
}

export function SchemaForm({ fields, values, errors = {}, onChange, idPrefix }: Props) {
  const auto = useId();
  const prefix = idPrefix ?? auto;
  if (fields.length === 0) {
    return <p className="muted">This tool takes no arguments.</p>;
  }
  const set = (name: string, v: FieldValue) => onChange({ ...values, [name]: v });
  return (
    <div className="schema-form">
      {fields.map((f) => {
        const id = `${prefix}-${f.name}`;
        const helpId = f.description ? `${id}-help` : undefined;
        const errorId = errors[f.name] ? `${id}-error` : undefined;
        const describedBy = [helpId, errorId].filter(Boolean).join(' ') || undefined;
        const value = values[f.name];
        const text = typeof value === 'string' ? value : '';
        const common = {
          id,
          'aria-describedby': describedBy,
          'aria-invalid': errors[f.name] ? true : undefined,
          'aria-required': f.required || undefined,
        };
        let input;
        switch (f.kind) {
          case 'boolean':
            input = f.required ? (
              <input {...common} type="checkbox" checked={text === 'true'} onChange={(e) => set(f.name, String(e.target.checked))} />
            ) : (
              <select {...common} value={text} onChange={(e) => set(f.name, e.target.value)}>
                <option value="">(not set)</option>
                <option value="true">true</option>
                <option value="false">false</option>
              </select>
            );
            break;
          case 'enum':
            input = (
              <select {...common} value={text} onChange={(e) => set(f.name, e.target.value)}>
                <option value="">{f.required ? '(choose)' : '(not set)'}</option>
                {(f.options ?? []).map((o, i) => (
                  <option key={i} value={String(i)}>
                    {optionLabel(o)}
                  </option>
                ))}
              </select>
            );
            break;
          case 'number':
          case 'integer':
            input = (
              <input
                {...common}
                type="number"
                inputMode={f.kind === 'integer' ? 'numeric' : 'decimal'}
                step={f.kind === 'integer' ? 1 : 'any'}
                min={f.minimum}
                max={f.maximum}
                value={text}
                onChange={(e) => set(f.name, e.target.value)}
              />
            );
            break;
          case 'array':
            input = (
              <ArrayInput
                field={f}
                id={id}
                describedBy={describedBy}
                value={Array.isArray(value) ? value : []}
                onChange={(v) => set(f.name, v)}
              />
            );
            break;
          case 'json':
            input = (
              <textarea
                {...common}
                className="mono"
                rows={4}
                spellCheck={false}
                placeholder={'{ }'}
                value={text}
                onChange={(e) => set(f.name, e.target.value)}
              />
            );
            break;
          default:
            input = f.multiline ? (
              <textarea {...common} rows={4} value={text} onChange={(e) => set(f.name, e.target.value)} />
            ) : (
              <input {...common} type="text" value={text} onChange={(e) => set(f.name, e.target.value)} />
            );
        }
        const isCheckbox = f.kind === 'boolean' && f.required;
        return (
          <div className={`field${isCheckbox ? ' field-inline' : ''}`} key={f.name}>
            <label htmlFor={id} id={`${id}-label`}>
              {f.label}
              {f.required && <span className="required" aria-hidden="true"> *</span>}
              <span className="type-hint">{typeHint(f)}</span>
            </label>
            {input}
            {f.description && (
              <p className="help" id={helpId}>
                {f.description}
              </p>
            )}
            {errors[f.name] && (
              <p className="field-error" id={errorId}>
                {f.label} {errors[f.name]}
              </p>
            )}
          </div>
        );
      })}
    </div>
  );
}
