// Name → value rows for an external server's environment or a remote server's HTTP headers.
// Values are secret: stored names are listed, their values never come back.
import type { KeyValueState } from '../lib/connectorForm';

export function KeyValueRows({ legend, nameLabel, valueLabel, state, onChange, storedNames = [], help, error }: {
  legend: string;
  nameLabel: string;
  valueLabel: string;
  state: KeyValueState;
  onChange: (state: KeyValueState) => void;
  storedNames?: string[];
  help?: string;
  error?: string;
}) {
  const rows = state.rows;
  const setRow = (i: number, part: 'name' | 'value', v: string) =>
    onChange({ ...state, rows: rows.map((r, j) => (j === i ? { ...r, [part]: v } : r)) });
  return (
    <fieldset className="kv">
      <legend>{legend}</legend>
      {help && <p className="help">{help}</p>}
      {storedNames.length > 0 && (
        <ul className="stored-names" aria-label={`Stored ${legend.toLowerCase()}`}>
          {storedNames.map((name) => (
            <li key={name}>
              <code>{name}</code>
              <span className="muted"> (value stored)</span>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={Boolean(state.remove[name])}
                  onChange={(e) => onChange({ ...state, remove: { ...state.remove, [name]: e.target.checked } })}
                />
                Remove
              </label>
            </li>
          ))}
        </ul>
      )}
      {rows.map((row, i) => (
        <div className="kv-row" key={i}>
          <input
            aria-label={`${nameLabel} ${i + 1}`}
            placeholder={nameLabel}
            value={row.name}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setRow(i, 'name', e.target.value)}
          />
          <input
            aria-label={`${valueLabel} ${i + 1}`}
            placeholder={valueLabel}
            type="password"
            autoComplete="new-password"
            value={row.value}
            onChange={(e) => setRow(i, 'value', e.target.value)}
          />
          <button
            type="button"
            className="ghost small"
            aria-label={`Remove ${nameLabel.toLowerCase()} ${i + 1}`}
            onClick={() => onChange({ ...state, rows: rows.filter((_, j) => j !== i) })}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="secondary small" onClick={() => onChange({ ...state, rows: [...rows, { name: '', value: '' }] })}>
        Add {nameLabel.toLowerCase()}
      </button>
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}
