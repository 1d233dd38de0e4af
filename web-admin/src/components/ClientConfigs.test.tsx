import { describe, expect, it } from 'vitest';

import { parseLogLine } from '../pages/Logs';
import { clientSnippets, serverName } from './ClientConfigs';

const URL_ = 'http://127.0.0.1:8000/api/v1/acme/connectors/c1/mcp';

describe('client configurations', () => {
  it('bridges Claude Desktop through mcp-remote with the key from its environment', () => {
    const s = clientSnippets(URL_, 'sagemcp-acme', '');
    const desktop = JSON.parse(s.claudeDesktop).mcpServers['sagemcp-acme'];
    expect(desktop.command).toBe('npx');
    expect(desktop.args).toEqual(['-y', 'mcp-remote', URL_, '--header', 'Authorization:${SAGEMCP_AUTH_HEADER}']);
    expect(desktop.env.SAGEMCP_AUTH_HEADER).toMatch(/^Bearer /);
  });

  it('adds --allow-http for plain http beyond loopback', () => {
    const s = clientSnippets('http://mcp.internal:8000/api/v1/acme/mcp', 'x', 'k');
    expect(JSON.parse(s.claudeDesktop).mcpServers.x.args).toContain('--allow-http');
    expect(JSON.parse(clientSnippets('https://mcp.example.com/api/v1/acme/mcp', 'x', 'k').claudeDesktop).mcpServers.x.args).not.toContain('--allow-http');
  });

  it('writes Claude Code, Cursor and VS Code entries, with the key when given', () => {
    const s = clientSnippets(URL_, 'sagemcp-acme', 'smcp_tu_key');
    expect(s.claudeCode).toBe(`claude mcp add --transport http sagemcp-acme ${URL_} --header "Authorization: Bearer smcp_tu_key"`);
    expect(JSON.parse(s.cursor)).toEqual({ mcpServers: { 'sagemcp-acme': { url: URL_, headers: { Authorization: 'Bearer smcp_tu_key' } } } });
    expect(JSON.parse(s.vscode)).toEqual({ servers: { 'sagemcp-acme': { type: 'http', url: URL_, headers: { Authorization: 'Bearer smcp_tu_key' } } } });
    const prompt = JSON.parse(clientSnippets(URL_, 'n', '').vscode);
    expect(prompt.servers.n.headers.Authorization).toBe('Bearer ${input:sagemcp-key}');
    expect(prompt.inputs[0]).toMatchObject({ id: 'sagemcp-key', password: true });
  });

  it('makes server names clients accept', () => {
    expect(serverName('sagemcp', 'acme', 'My GitHub (prod)')).toBe('sagemcp-acme-my-github-prod');
  });
});

describe('log lines', () => {
  it('splits a JSON log line into time, level, message and fields', () => {
    const line = parseLogLine('{"ts":"2026-01-01T00:00:00.000001Z","level":"warning","msg":"request","tenant":"acme","status":"500","duration_us":12,"empty":""}');
    expect(line).toMatchObject({ ts: '2026-01-01T00:00:00.000001Z', level: 'warning', msg: 'request' });
    expect(line.fields).toEqual([
      ['tenant', 'acme'],
      ['status', '500'],
      ['duration_us', '12'],
    ]);
    expect(parseLogLine('not json')).toMatchObject({ msg: 'not json', fields: [] });
  });
});
