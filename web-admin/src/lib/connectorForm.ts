// The connector forms' values and the create/update bodies they make. Secrets never come back
// from the server: a secret left empty keeps its stored value, and "remove" sends null.
import type { ConfigField, Connector, ConnectorInput, RuntimeType } from '../api/types';

export interface ConfigState {
  values: Record<string, string>;
  /** Secret fields whose stored value should be removed. */
  clear: Record<string, boolean>;
}

export type ConfigInputKind = 'password' | 'url' | 'select' | 'text';

/** How a connector type's configuration field is entered. */
export function configInputKind(field: ConfigField): ConfigInputKind {
  if (field.secret) {
    return 'password';
  }
  if (field.name === 'credential_mode') {
    return 'select';
  }
  if (field.name === 'url' || field.name.endsWith('_url')) {
    return 'url';
  }
  return 'text';
}

/** The choices of the `credential_mode` field, as its description states them. */
export const CREDENTIAL_MODES = [
  { value: '', label: 'Default (tenant)' },
  { value: 'tenant', label: 'tenant: the tenant’s connection or token' },
  { value: 'user', label: 'user: each caller’s own connection' },
];

function text(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function initialConfigState(fields: ConfigField[], connector?: Connector): ConfigState {
  const values: Record<string, string> = {};
  for (const f of fields) {
    values[f.name] = f.secret ? '' : text(connector?.configuration?.[f.name]);
  }
  return { values, clear: {} };
}

export interface Built<T> {
  value: T;
  errors: Record<string, string>;
}

/**
 * The `configuration` object of a create or update. Non-secret values the type does not declare
 * are kept (the server replaces the non-secret part as a whole).
 */
export function buildConfiguration(
  fields: ConfigField[],
  state: ConfigState,
  connector?: Connector,
): Built<Record<string, unknown>> {
  const configuration: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const declared = new Set(fields.map((f) => f.name));
  for (const [name, value] of Object.entries(connector?.configuration ?? {})) {
    if (!declared.has(name)) {
      configuration[name] = value;
    }
  }
  const stored = new Set(connector?.secret_fields ?? []);
  for (const f of fields) {
    const value = (state.values[f.name] ?? '').trim();
    if (value !== '') {
      configuration[f.name] = value;
      continue;
    }
    if (f.secret && state.clear[f.name] && stored.has(f.name)) {
      configuration[f.name] = null;
    }
    const present = f.secret && stored.has(f.name) && !state.clear[f.name];
    if (f.required && !present) {
      errors[f.name] = `${f.title || f.name} is required`;
    }
  }
  return { value: configuration, errors };
}

export interface KeyValueRow {
  name: string;
  value: string;
}

export interface KeyValueState {
  rows: KeyValueRow[];
  /** Stored names to remove. */
  remove: Record<string, boolean>;
}

/**
 * The `runtime_env` change set: new or replaced values, and null for removed names. Stored
 * values not mentioned are kept by the server.
 */
export function buildEnv(state: KeyValueState, what: string): Built<Record<string, string | null>> {
  const env: Record<string, string | null> = {};
  const errors: Record<string, string> = {};
  for (const [name, gone] of Object.entries(state.remove)) {
    if (gone) {
      env[name] = null;
    }
  }
  state.rows.forEach((row, i) => {
    const name = row.name.trim();
    if (!name && !row.value) {
      return;
    }
    if (!name) {
      errors[`row${i}`] = `${what} ${i + 1} needs a name`;
      return;
    }
    env[name] = row.value;
  });
  return { value: env, errors };
}

/** Splits a command written one argument per line. */
export function parseCommand(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '');
}

export interface ExternalState {
  runtimeType: RuntimeType;
  name: string;
  description: string;
  command: string;
  packagePath: string;
  env: KeyValueState;
}

export function buildExternal(state: ExternalState, creating: boolean): Built<ConnectorInput> {
  const errors: Record<string, string> = {};
  const command = parseCommand(state.command);
  if (!state.name.trim()) {
    errors.name = 'Name is required';
  }
  if (command.length === 0) {
    errors.command = 'The command is required: the program, then one argument per line';
  }
  const path = state.packagePath.trim();
  if (path && !path.startsWith('/')) {
    errors.packagePath = 'The package path must be an absolute directory path';
  }
  const env = buildEnv(state.env, 'Variable');
  Object.assign(errors, env.errors);
  const input: ConnectorInput = {
    name: state.name.trim(),
    description: state.description.trim() || null,
    runtime_command: command,
    package_path: path || null,
  };
  if (creating) {
    input.runtime_type = state.runtimeType;
  }
  if (Object.keys(env.value).length > 0 || creating) {
    input.runtime_env = env.value;
  }
  return { value: input, errors };
}

export type RemoteTransport = 'auto' | 'streamable_http' | 'sse';

export interface RemoteState {
  name: string;
  description: string;
  url: string;
  transport: RemoteTransport;
  oauthProvider: string;
  credentialMode: '' | 'tenant' | 'user';
  headers: KeyValueState;
}

export function initialRemoteState(connector?: Connector): RemoteState {
  const c = connector?.configuration ?? {};
  return {
    name: connector?.name ?? '',
    description: connector?.description ?? '',
    url: text(c.url),
    transport: (['auto', 'streamable_http', 'sse'].includes(String(c.transport))
      ? c.transport
      : 'auto') as RemoteTransport,
    oauthProvider: text(c.oauth_provider),
    credentialMode: (c.credential_mode === 'tenant' || c.credential_mode === 'user'
      ? c.credential_mode
      : '') as RemoteState['credentialMode'],
    headers: { rows: [], remove: {} },
  };
}

export function buildRemote(state: RemoteState, creating: boolean): Built<ConnectorInput> {
  const errors: Record<string, string> = {};
  if (!state.name.trim()) {
    errors.name = 'Name is required';
  }
  const url = state.url.trim();
  if (!/^https?:\/\/[^/]/i.test(url)) {
    errors.url = 'The URL must be an absolute http(s) URL, such as https://mcp.example.com/mcp';
  }
  if (state.credentialMode === 'user' && !state.oauthProvider) {
    errors.credentialMode = 'Per-user credentials need an OAuth provider';
  }
  const configuration: Record<string, unknown> = { url, transport: state.transport };
  if (state.oauthProvider) {
    configuration.oauth_provider = state.oauthProvider;
  }
  if (state.credentialMode) {
    configuration.credential_mode = state.credentialMode;
  }
  const headers = buildEnv(state.headers, 'Header');
  Object.assign(errors, headers.errors);
  for (const name of Object.keys(headers.value)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      errors.headers = `'${name}' is not an HTTP header name`;
    }
  }
  const input: ConnectorInput = {
    name: state.name.trim(),
    description: state.description.trim() || null,
    configuration,
  };
  if (creating) {
    input.runtime_type = 'external_remote';
  }
  if (Object.keys(headers.value).length > 0 || creating) {
    input.runtime_env = headers.value;
  }
  return { value: input, errors };
}

export function isProcessRuntime(runtime: string): boolean {
  return runtime.startsWith('external_') && runtime !== 'external_remote';
}

export function runtimeLabel(runtime: string): string {
  switch (runtime) {
    case 'native':
      return 'Native';
    case 'external_nodejs':
      return 'External (Node.js)';
    case 'external_python':
      return 'External (Python)';
    case 'external_go':
      return 'External (Go)';
    case 'external_custom':
      return 'External (custom)';
    case 'external_remote':
      return 'Remote MCP server';
    default:
      return runtime;
  }
}
