// The MCP endpoint URLs of a connector (or a tenant) and client configurations ready to paste.
import { useId, useState } from 'react';

import { websocketUrl } from '../api/mcp';
import { CodeBlock } from './Common';

export interface EndpointPaths {
  /** Streamable HTTP endpoint path, such as /api/v1/acme/connectors/<id>/mcp. */
  http: string;
  /** Legacy HTTP+SSE path. */
  sse: string;
}

/** A server entry name clients accept: letters, digits, '-' and '_'. */
export function serverName(...parts: string[]): string {
  return parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

export interface ClientSnippets {
  claudeDesktop: string;
  claudeCode: string;
  cursor: string;
  vscode: string;
}

/** The four client configurations for an endpoint URL; `key` fills them in when given. */
export function clientSnippets(url: string, name: string, key: string): ClientSnippets {
  const header = (ref: string) => `Authorization: Bearer ${key || ref}`;
  // mcp-remote refuses plain http to anything but localhost unless told.
  const insecure = url.startsWith('http:') && !isLoopback(url);
  // The header comes from the environment, as mcp-remote documents: a space inside an argument
  // gets mangled when Claude Desktop on Windows starts npx.
  const remoteArgs = ['-y', 'mcp-remote', url, '--header', 'Authorization:${SAGEMCP_AUTH_HEADER}'];
  if (insecure) {
    remoteArgs.push('--allow-http');
  }
  const claudeDesktop = JSON.stringify(
    {
      mcpServers: {
        [name]: {
          command: 'npx',
          args: remoteArgs,
          env: { SAGEMCP_AUTH_HEADER: `Bearer ${key || '<your SageMCP API key>'}` },
        },
      },
    },
    null,
    2,
  );
  const claudeCode = `claude mcp add --transport http ${name} ${url} --header "${header('$SAGEMCP_KEY')}"`;
  const cursor = JSON.stringify(
    { mcpServers: { [name]: { url, headers: { Authorization: `Bearer ${key || '${env:SAGEMCP_KEY}'}` } } } },
    null,
    2,
  );
  const vscodeConfig: Record<string, unknown> = {
    servers: {
      [name]: {
        type: 'http',
        url,
        headers: { Authorization: `Bearer ${key || '${input:sagemcp-key}'}` },
      },
    },
  };
  if (!key) {
    vscodeConfig.inputs = [
      { type: 'promptString', id: 'sagemcp-key', description: 'SageMCP API key', password: true },
    ];
  }
  return { claudeDesktop, claudeCode, cursor, vscode: JSON.stringify(vscodeConfig, null, 2) };
}

export function EndpointList({ paths, origin = window.location.origin }: { paths: EndpointPaths; origin?: string }) {
  const http = origin + paths.http;
  const rows = [
    { label: 'Streamable HTTP', url: http },
    { label: 'WebSocket (subprotocol mcp)', url: websocketUrl(paths.http, origin) },
    { label: 'Legacy HTTP+SSE', url: origin + paths.sse },
  ];
  return (
    <div className="endpoints">
      {rows.map((r) => (
        <CodeBlock key={r.label} label={r.label} code={r.url} what={`${r.label} URL`} />
      ))}
    </div>
  );
}

export function ClientConfigs({ path, name, origin = window.location.origin }: { path: string; name: string; origin?: string }) {
  const id = useId();
  const [key, setKey] = useState('');
  const url = origin + path;
  const s = clientSnippets(url, name, key.trim());
  return (
    <div className="client-configs">
      <div className="field">
        <label htmlFor={`${id}-key`}>API key to put into the snippets (optional)</label>
        <input
          id={`${id}-key`}
          type="password"
          autoComplete="off"
          placeholder="smcp_tu_…"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-describedby={`${id}-key-help`}
        />
        <p className="help" id={`${id}-key-help`}>
          Stays in this page. Without it the snippets read the key from the SAGEMCP_KEY environment variable (VS Code asks
          for it). Give clients a tenant_user key, not an admin key.
        </p>
      </div>
      <CodeBlock label="Claude Desktop — claude_desktop_config.json (through mcp-remote)" code={s.claudeDesktop} what="Claude Desktop configuration" />
      <CodeBlock label="Claude Code" code={s.claudeCode} what="Claude Code command" />
      <CodeBlock label="Cursor — ~/.cursor/mcp.json" code={s.cursor} what="Cursor configuration" />
      <CodeBlock label="VS Code — .vscode/mcp.json" code={s.vscode} what="VS Code configuration" />
    </div>
  );
}
