import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';

import type { ConfigField, Connector } from '../api/types';
import { buildConfiguration, buildRemote, initialConfigState, initialRemoteState } from '../lib/connectorForm';
import type { ConfigState } from '../lib/connectorForm';
import { ConfigFields } from './ConfigFields';

// As GET /api/v1/admin/connector-types declares the github type.
const GITHUB: ConfigField[] = [
  { name: 'token', title: 'Access token', description: 'A personal access token.', secret: true, required: false },
  { name: 'base_url', title: 'API URL', description: 'GitHub Enterprise Server API URL.', secret: false, required: false },
  { name: 'credential_mode', title: 'Credentials', description: '"tenant" or "user".', secret: false, required: false },
];

const EXISTING = {
  id: 'c1',
  connector_type: 'github',
  configuration: { base_url: 'https://ghe.example.com/api/v3', extra: 7 },
  secret_fields: ['token'],
} as unknown as Connector;

function Harness({ fields, connector, onBuilt }: { fields: ConfigField[]; connector?: Connector; onBuilt: (b: ReturnType<typeof buildConfiguration>) => void }) {
  const [state, setState] = useState<ConfigState>(initialConfigState(fields, connector));
  return (
    <>
      <ConfigFields fields={fields} state={state} onChange={setState} storedSecrets={connector?.secret_fields} />
      <button type="button" onClick={() => onBuilt(buildConfiguration(fields, state, connector))}>
        build
      </button>
    </>
  );
}

describe('connector configuration form', () => {
  it('generates a password input for secrets, a URL input for base-URL overrides and a choice for credentials', () => {
    render(<Harness fields={GITHUB} onBuilt={() => {}} />);
    expect(screen.getByLabelText(/^Access token/)).toHaveAttribute('type', 'password');
    expect(screen.getByLabelText(/^Access token/)).toHaveAccessibleDescription(/A personal access token\. Stored encrypted/);
    expect(screen.getByLabelText(/^API URL/)).toHaveAttribute('type', 'url');
    expect(screen.getByLabelText(/^Credentials/).tagName).toBe('SELECT');
  });

  it('builds the configuration of a new connector from what was typed', async () => {
    let built: ReturnType<typeof buildConfiguration> | undefined;
    render(<Harness fields={GITHUB} onBuilt={(b) => (built = b)} />);
    await userEvent.type(screen.getByLabelText(/^Access token/), 'ghp_secret');
    await userEvent.type(screen.getByLabelText(/^API URL/), 'https://ghe.example.com/api/v3');
    await userEvent.selectOptions(screen.getByLabelText(/^Credentials/), 'user');
    await userEvent.click(screen.getByRole('button', { name: 'build' }));
    expect(built).toEqual({
      value: { token: 'ghp_secret', base_url: 'https://ghe.example.com/api/v3', credential_mode: 'user' },
      errors: {},
    });
  });

  it('keeps a stored secret when left empty, removes it on request, and keeps undeclared values', async () => {
    let built: ReturnType<typeof buildConfiguration> | undefined;
    render(<Harness fields={GITHUB} connector={EXISTING} onBuilt={(b) => (built = b)} />);
    expect(screen.getByLabelText(/^API URL/)).toHaveValue('https://ghe.example.com/api/v3');
    expect(screen.getByLabelText(/^Access token/)).toHaveAttribute('placeholder', 'Stored — leave empty to keep it');
    await userEvent.click(screen.getByRole('button', { name: 'build' }));
    expect(built?.value).toEqual({ extra: 7, base_url: 'https://ghe.example.com/api/v3' });
    await userEvent.click(screen.getByLabelText('Remove the stored Access token'));
    expect(screen.getByLabelText(/^Access token/)).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'build' }));
    expect(built?.value).toEqual({ extra: 7, base_url: 'https://ghe.example.com/api/v3', token: null });
  });

  it('requires required fields, counting a stored secret as present', () => {
    const fields: ConfigField[] = [
      { name: 'api_key', title: 'API key', description: '', secret: true, required: true },
      { name: 'site', title: 'Site', description: '', secret: false, required: true },
    ];
    const empty = initialConfigState(fields);
    expect(buildConfiguration(fields, empty).errors).toEqual({ api_key: 'API key is required', site: 'Site is required' });
    const stored = { configuration: {}, secret_fields: ['api_key'] } as unknown as Connector;
    expect(buildConfiguration(fields, empty, stored).errors).toEqual({ site: 'Site is required' });
  });

  it('builds a remote MCP server: settings in configuration, headers in runtime_env', () => {
    const state = {
      ...initialRemoteState(),
      name: 'docs',
      url: 'https://mcp.example.com/mcp',
      transport: 'sse' as const,
      headers: { rows: [{ name: 'X-Api-Key', value: 'k' }], remove: {} },
    };
    expect(buildRemote(state, true)).toEqual({
      value: {
        name: 'docs',
        description: null,
        runtime_type: 'external_remote',
        configuration: { url: 'https://mcp.example.com/mcp', transport: 'sse' },
        runtime_env: { 'X-Api-Key': 'k' },
      },
      errors: {},
    });
    const bad = buildRemote({ ...state, url: 'ftp://x', credentialMode: 'user', headers: { rows: [{ name: 'Bad Header', value: '' }], remove: { Old: true } } }, false);
    expect(Object.keys(bad.errors).sort()).toEqual(['credentialMode', 'headers', 'url']);
    expect(bad.value.runtime_env).toEqual({ Old: null, 'Bad Header': '' });
  });
});
