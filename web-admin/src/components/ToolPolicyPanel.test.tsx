import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import type { ToolState } from '../api/types';
import { json, renderWithProviders, testApi } from '../test/helpers';
import { ToolPolicyPanel } from './ToolPolicyPanel';

const BASE = '/api/v1/admin/tenants/acme/connectors/c1/tools';

function policyServer(fail = false) {
  const tools: ToolState[] = [
    { tool_name: 'echo', description: 'Echoes back the message', is_enabled: true },
    { tool_name: 'add', description: 'Adds two numbers', is_enabled: true },
    { tool_name: 'test_simple_text', description: 'Simple text', is_enabled: false },
  ];
  const policy = () => ({
    connector_id: 'c1',
    tools,
    summary: { total: 3, enabled: tools.filter((t) => t.is_enabled).length, disabled: tools.filter((t) => !t.is_enabled).length },
  });
  return testApi((call) => {
    if (call.method === 'GET' && call.url === BASE) {
      return json(200, policy());
    }
    if (fail) {
      return json(503, { error: 'unavailable', detail: 'The database is unreachable' });
    }
    if (call.method === 'PATCH') {
      const name = decodeURIComponent(call.url.split('/').pop() as string);
      const tool = tools.find((t) => t.tool_name === name) as ToolState;
      tool.is_enabled = (call.body as { is_enabled: boolean }).is_enabled;
      return json(200, tool);
    }
    if (call.url === `${BASE}/bulk-update`) {
      for (const u of (call.body as { updates: { tool_name: string; is_enabled: boolean }[] }).updates) {
        (tools.find((t) => t.tool_name === u.tool_name) as ToolState).is_enabled = u.is_enabled;
      }
      return json(200, policy());
    }
    if (call.url === `${BASE}/enable-all`) {
      tools.forEach((t) => (t.is_enabled = true));
      return json(200, policy());
    }
    return json(404, { error: 'not_found', detail: 'no' });
  });
}

describe('ToolPolicyPanel', () => {
  it('lists tools with their state and filters them by search', async () => {
    const { api } = policyServer();
    renderWithProviders(<ToolPolicyPanel api={api} slug="acme" connectorId="c1" />);
    expect(await screen.findByText('2 of 3 tools enabled')).toBeInTheDocument();
    expect(screen.getByRole('switch', { name: 'echo enabled' })).toBeChecked();
    expect(screen.getByRole('switch', { name: 'test_simple_text enabled' })).not.toBeChecked();
    await userEvent.type(screen.getByLabelText('Search tools'), 'numbers');
    expect(screen.queryByRole('switch', { name: 'echo enabled' })).not.toBeInTheDocument();
    expect(screen.getByRole('switch', { name: 'add enabled' })).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText('Search tools'));
    await userEvent.selectOptions(screen.getByLabelText('Show'), 'disabled');
    expect(screen.getAllByRole('switch')).toHaveLength(1);
  });

  it('disables one tool with PATCH …/tools/{tool}', async () => {
    const { api, calls } = policyServer();
    renderWithProviders(<ToolPolicyPanel api={api} slug="acme" connectorId="c1" />);
    await userEvent.click(await screen.findByRole('switch', { name: 'add enabled' }));
    await waitFor(() => expect(screen.getByRole('switch', { name: 'add enabled' })).not.toBeChecked());
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch).toMatchObject({ url: `${BASE}/add`, body: { is_enabled: false } });
    expect(await screen.findByText('add disabled')).toBeInTheDocument();
    expect(screen.getByText('1 of 3 tools enabled')).toBeInTheDocument();
  });

  it('changes the selected tools at once, and all of them', async () => {
    const { api, calls } = policyServer();
    renderWithProviders(<ToolPolicyPanel api={api} slug="acme" connectorId="c1" />);
    await userEvent.click(await screen.findByLabelText('Select echo'));
    await userEvent.click(screen.getByLabelText('Select add'));
    const bar = screen.getByRole('group', { name: 'Bulk changes' });
    expect(within(bar).getByText('2 selected')).toBeInTheDocument();
    await userEvent.click(within(bar).getByRole('button', { name: 'Disable selected' }));
    await waitFor(() => expect(screen.getByText('0 of 3 tools enabled')).toBeInTheDocument());
    expect(calls.find((c) => c.url.endsWith('/bulk-update'))?.body).toEqual({
      updates: [
        { tool_name: 'echo', is_enabled: false },
        { tool_name: 'add', is_enabled: false },
      ],
    });
    await userEvent.click(within(bar).getByRole('button', { name: 'Enable all' }));
    await waitFor(() => expect(screen.getByText('3 of 3 tools enabled')).toBeInTheDocument());
  });

  it('puts the switch back and says why when the server refuses', async () => {
    const { api } = policyServer(true);
    renderWithProviders(<ToolPolicyPanel api={api} slug="acme" connectorId="c1" />);
    await userEvent.click(await screen.findByRole('switch', { name: 'echo enabled' }));
    expect(await screen.findByText(/Could not change echo: The database is unreachable \(HTTP 503/)).toBeInTheDocument();
    expect(screen.getByRole('switch', { name: 'echo enabled' })).toBeChecked();
  });
});
