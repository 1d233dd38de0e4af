// The configuration form of a connector type, generated from the fields that
// GET /api/v1/admin/connector-types declares (secrets, base-URL overrides included).
import { useId } from 'react';

import type { ConfigField } from '../api/types';
import { CREDENTIAL_MODES, configInputKind } from '../lib/connectorForm';
import type { ConfigState } from '../lib/connectorForm';

export function ConfigFields({ fields, state, onChange, storedSecrets = [], errors = {} }: {
  fields: ConfigField[];
  state: ConfigState;
  onChange: (state: ConfigState) => void;
  /** Secret fields that have a stored value (the connector's secret_fields). */
  storedSecrets?: string[];
  errors?: Record<string, string>;
}) {
  const prefix = useId();
  if (fields.length === 0) {
    return <p className="muted">This connector type needs no configuration.</p>;
  }
  return (
    <div className="config-fields">
      {fields.map((f) => {
        const id = `${prefix}-${f.name}`;
        const kind = configInputKind(f);
        const stored = f.secret && storedSecrets.includes(f.name);
        const clearing = Boolean(state.clear[f.name]);
        const helpId = `${id}-help`;
        const errorId = errors[f.name] ? `${id}-error` : undefined;
        const value = state.values[f.name] ?? '';
        const setValue = (v: string) => onChange({ ...state, values: { ...state.values, [f.name]: v } });
        const common = {
          id,
          name: f.name,
          'aria-describedby': [helpId, errorId].filter(Boolean).join(' '),
          'aria-invalid': errors[f.name] ? true : undefined,
          'aria-required': (f.required && !stored) || undefined,
        };
        return (
          <div className="field" key={f.name}>
            <label htmlFor={id}>
              {f.title || f.name}
              {f.required && <span className="required" aria-hidden="true"> *</span>}
              {f.secret && <span className="type-hint">secret</span>}
            </label>
            {kind === 'select' ? (
              <select {...common} value={value} onChange={(e) => setValue(e.target.value)}>
                {CREDENTIAL_MODES.map((m) => (
                  <option key={m.value} value={m.value}>
                    {m.label}
                  </option>
                ))}
              </select>
            ) : (
              <input
                {...common}
                type={kind}
                autoComplete={kind === 'password' ? 'new-password' : 'off'}
                spellCheck={false}
                disabled={clearing}
                placeholder={stored ? 'Stored — leave empty to keep it' : kind === 'url' ? 'https://…' : undefined}
                value={value}
                onChange={(e) => setValue(e.target.value)}
              />
            )}
            <p className="help" id={helpId}>
              {f.description}
              {f.secret && ' Stored encrypted; never shown again.'}
            </p>
            {stored && (
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={clearing}
                  onChange={(e) =>
                    onChange({
                      values: { ...state.values, [f.name]: '' },
                      clear: { ...state.clear, [f.name]: e.target.checked },
                    })
                  }
                />
                Remove the stored {f.title || f.name}
              </label>
            )}
            {errors[f.name] && (
              <p className="field-error" id={errorId}>
                {errors[f.name]}
              </p>
            )}
          </div>
        );
      })}
    </div>
  );
}
