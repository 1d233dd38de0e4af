// A connector's tool policy: search, filter, toggle one tool, or change many at once. A disabled
// tool is gone from tools/list and refused by tools/call.
import { useMemo, useState } from 'react';

import type { Api } from '../api/api';
import { describeError } from '../api/client';
import type { ToolPolicy, ToolState } from '../api/types';
import { useAsync } from '../lib/hooks';
import { ErrorNotice, Loading, Switch, SearchField } from './Common';
import { useToast } from './Toast';

type Filter = 'all' | 'enabled' | 'disabled';

function summarize(tools: ToolState[]): ToolPolicy['summary'] {
  const enabled = tools.filter((t) => t.is_enabled).length;
  return { total: tools.length, enabled, disabled: tools.length - enabled };
}

export function ToolPolicyPanel({ api, slug, connectorId, canEdit = true }: {
  api: Api;
  slug: string;
  connectorId: string;
  canEdit?: boolean;
}) {
  const toast = useToast();
  const policy = useAsync(() => api.toolPolicy(slug, connectorId), [api, slug, connectorId]);
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<Filter>('all');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);

  const tools = policy.data?.tools ?? [];
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return tools.filter(
      (t) =>
        (filter === 'all' || (filter === 'enabled') === t.is_enabled) &&
        (!q || t.tool_name.toLowerCase().includes(q) || t.description.toLowerCase().includes(q)),
    );
  }, [tools, query, filter]);

  if (policy.loading && !policy.data) {
    return <Loading label="Loading tools…" />;
  }
  if (policy.error) {
    return <ErrorNotice error={policy.error} onRetry={policy.reload} title="The tool policy could not be loaded" />;
  }

  const replaceTools = (next: ToolState[]) => {
    policy.setData((old) => ({
      connector_id: old?.connector_id ?? connectorId,
      tools: next,
      summary: summarize(next),
    }));
  };

  const toggle = async (tool: ToolState, enabled: boolean) => {
    const before = tools;
    replaceTools(tools.map((t) => (t.tool_name === tool.tool_name ? { ...t, is_enabled: enabled } : t)));
    try {
      await api.setTool(slug, connectorId, tool.tool_name, enabled);
      toast.success(`${tool.tool_name} ${enabled ? 'enabled' : 'disabled'}`);
    } catch (err) {
      replaceTools(before);
      toast.error(`Could not change ${tool.tool_name}: ${describeError(err)}`);
    }
  };

  const run = async (what: string, action: () => Promise<ToolPolicy>) => {
    setBusy(true);
    try {
      const result = await action();
      policy.setData(result);
      setSelected(new Set());
      toast.success(what);
    } catch (err) {
      toast.error(`${what} failed: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const bulk = (enabled: boolean) =>
    run(`${selected.size} tool${selected.size === 1 ? '' : 's'} ${enabled ? 'enabled' : 'disabled'}`, () =>
      api.bulkSetTools(
        slug,
        connectorId,
        [...selected].map((tool_name) => ({ tool_name, is_enabled: enabled })),
      ),
    );

  const allShownSelected = shown.length > 0 && shown.every((t) => selected.has(t.tool_name));
  const summary = policy.data?.summary ?? summarize(tools);

  return (
    <section className="tool-policy" aria-label="Tool policy">
      <div className="toolbar">
        <SearchField id="tool-search" label="Search tools" placeholder="Name or description" value={query} onChange={setQuery} />
        <div className="field">
          <label htmlFor="tool-filter">Show</label>
          <select id="tool-filter" value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
            <option value="all">All tools</option>
            <option value="enabled">Enabled</option>
            <option value="disabled">Disabled</option>
          </select>
        </div>
      </div>
      <p className="muted" aria-live="polite">
        {summary.enabled} of {summary.total} tools enabled
        {shown.length !== tools.length && ` · ${shown.length} shown`}
      </p>
      {canEdit && (
        <div className="bulk-bar" role="group" aria-label="Bulk changes">
          <span>{selected.size} selected</span>
          <button type="button" className="secondary small" disabled={busy || selected.size === 0} onClick={() => bulk(true)}>
            Enable selected
          </button>
          <button type="button" className="secondary small" disabled={busy || selected.size === 0} onClick={() => bulk(false)}>
            Disable selected
          </button>
          <span className="spacer" />
          <button
            type="button"
            className="secondary small"
            disabled={busy || summary.enabled === summary.total}
            onClick={() => run('All tools enabled', () => api.setAllTools(slug, connectorId, true))}
          >
            Enable all
          </button>
          <button
            type="button"
            className="secondary small"
            disabled={busy || summary.disabled === summary.total}
            onClick={() => run('All tools disabled', () => api.setAllTools(slug, connectorId, false))}
          >
            Disable all
          </button>
        </div>
      )}
      <div className="table-wrap">
        <table className="tools-table">
          <thead>
            <tr>
              {canEdit && (
                <th scope="col" className="col-check">
                  <input
                    type="checkbox"
                    aria-label="Select all shown tools"
                    checked={allShownSelected}
                    onChange={(e) => {
                      const next = new Set(selected);
                      for (const t of shown) {
                        if (e.target.checked) {
                          next.add(t.tool_name);
                        } else {
                          next.delete(t.tool_name);
                        }
                      }
                      setSelected(next);
                    }}
                  />
                </th>
              )}
              <th scope="col">Tool</th>
              <th scope="col">Enabled</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((t) => (
              <tr key={t.tool_name} className={t.is_enabled ? undefined : 'row-muted'}>
                {canEdit && (
                  <td className="col-check">
                    <input
                      type="checkbox"
                      aria-label={`Select ${t.tool_name}`}
                      checked={selected.has(t.tool_name)}
                      onChange={(e) => {
                        const next = new Set(selected);
                        if (e.target.checked) {
                          next.add(t.tool_name);
                        } else {
                          next.delete(t.tool_name);
                        }
                        setSelected(next);
                      }}
                    />
                  </td>
                )}
                <td>
                  <code className="tool-name">{t.tool_name}</code>
                  <div className="muted small-text">{t.description}</div>
                </td>
                <td>
                  <Switch
                    checked={t.is_enabled}
                    disabled={!canEdit || busy}
                    label={`${t.tool_name} enabled`}
                    hideLabel
                    onChange={(next) => void toggle(t, next)}
                  />
                </td>
              </tr>
            ))}
            {shown.length === 0 && (
              <tr>
                <td colSpan={canEdit ? 3 : 2} className="muted">
                  No tool matches.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
