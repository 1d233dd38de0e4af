import { describe, expect, it } from 'vitest';

import { json, scriptedFetch } from '../test/helpers';
import type { Call } from '../test/helpers';
import {
  MCP_PROTOCOL_VERSION,
  McpError,
  McpHttpClient,
  McpWsClient,
  listAllTools,
  messagesFromSse,
  websocketProtocols,
  websocketUrl,
} from './mcp';
import type { ExchangeEntry } from './mcp';

const INIT_RESULT = {
  protocolVersion: '2025-11-25',
  capabilities: { tools: { listChanged: true } },
  serverInfo: { name: 'sagemcp', version: '0.1.0' },
};

function sse(...messages: unknown[]): Response {
  const body = messages.map((m, i) => `id: ${i}\nevent: message\ndata: ${JSON.stringify(m)}\n\n`).join('');
  return new Response(`: primer\n\n${body}`, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

/** A server: initialize with a session id, 202 for notifications, then `onRequest`. */
function server(onRequest: (call: Call) => Response) {
  return scriptedFetch((call) => {
    const msg = call.body as { id?: number; method?: string };
    if (msg.method === 'initialize') {
      return json(200, { jsonrpc: '2.0', id: msg.id, result: INIT_RESULT }, { 'mcp-session-id': 'sess-1' });
    }
    if (msg.id === undefined) {
      return new Response(null, { status: 202 });
    }
    return onRequest(call);
  });
}

describe('McpHttpClient (Streamable HTTP, session era)', () => {
  it('initializes, keeps the session id, and sends it with the protocol version', async () => {
    const { fetchImpl, calls } = server((call) =>
      json(200, { jsonrpc: '2.0', id: (call.body as { id: number }).id, result: { tools: [{ name: 'echo' }] } }),
    );
    const log: Omit<ExchangeEntry, 'seq' | 'at'>[] = [];
    const client = new McpHttpClient({ url: '/api/v1/acme/connectors/c1/mcp', apiKey: 'smcp_tu_k', fetchImpl, onExchange: (e) => log.push(e) });
    const info = await client.initialize();
    expect(info.serverInfo?.name).toBe('sagemcp');
    expect(client.sessionId).toBe('sess-1');

    const [init, initialized] = calls;
    expect(init.headers.accept).toBe('application/json, text/event-stream');
    expect(init.headers.authorization).toBe('Bearer smcp_tu_k');
    expect(init.headers['mcp-session-id']).toBeUndefined();
    expect(init.body).toMatchObject({ method: 'initialize', params: { protocolVersion: MCP_PROTOCOL_VERSION } });
    expect(initialized.body).toEqual({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(initialized.headers['mcp-session-id']).toBe('sess-1');

    const tools = await listAllTools(client);
    expect(tools.map((t) => t.name)).toEqual(['echo']);
    const list = calls[2];
    expect(list.headers['mcp-session-id']).toBe('sess-1');
    expect(list.headers['mcp-protocol-version']).toBe('2025-11-25');
    expect(log.some((e) => e.direction === 'note' && /Mcp-Session-Id: sess-1/.test(e.note ?? ''))).toBe(true);
    expect(log.filter((e) => e.direction === 'out').map((e) => (e.message as { method: string }).method)).toEqual([
      'initialize',
      'notifications/initialized',
      'tools/list',
    ]);
  });

  it('reads an SSE answer: notifications first, then the response', async () => {
    const { fetchImpl } = server((call) => {
      const id = (call.body as { id: number }).id;
      return sse(
        { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } },
        { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'Echo: hi' }] } },
      );
    });
    const log: Omit<ExchangeEntry, 'seq' | 'at'>[] = [];
    const client = new McpHttpClient({ url: '/mcp', apiKey: 'k', fetchImpl, onExchange: (e) => log.push(e) });
    await client.initialize();
    const result = await client.request<{ content: { text: string }[] }>('tools/call', { name: 'echo', arguments: { message: 'hi' } });
    expect(result.content[0].text).toBe('Echo: hi');
    const received = log.filter((e) => e.direction === 'in').map((e) => (e.message as { method?: string }).method ?? 'response');
    expect(received).toEqual(['response', 'notifications/progress', 'response']);
  });

  it('refuses a server request that arrives on the stream', async () => {
    let refusal: unknown;
    const { fetchImpl } = server((call) => {
      const msg = call.body as { id: number | string; method?: string; error?: unknown };
      if (msg.error) {
        refusal = msg;
        return new Response(null, { status: 202 });
      }
      return sse(
        { jsonrpc: '2.0', id: 's1', method: 'sampling/createMessage', params: {} },
        { jsonrpc: '2.0', id: msg.id, result: { content: [] } },
      );
    });
    const client = new McpHttpClient({ url: '/mcp', apiKey: 'k', fetchImpl });
    await client.initialize();
    await client.request('tools/call', { name: 'test_sampling', arguments: {} });
    await new Promise((r) => setTimeout(r, 0));
    expect(refusal).toMatchObject({ id: 's1', error: { code: -32601 } });
  });

  it('raises JSON-RPC errors as McpError and an ended session as a readable 404', async () => {
    let gone = false;
    const { fetchImpl } = server((call) => {
      const id = (call.body as { id: number }).id;
      if (gone) {
        return json(404, { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } });
      }
      gone = true;
      return json(200, { jsonrpc: '2.0', id, error: { code: -32602, message: "Unknown tool 'nope'" } });
    });
    const client = new McpHttpClient({ url: '/mcp', apiKey: 'k', fetchImpl });
    await client.initialize();
    const err = await client.request('tools/call', { name: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect(err).toMatchObject({ code: -32602, message: "Unknown tool 'nope'" });
    await expect(client.request('tools/list')).rejects.toMatchObject({ status: 404, detail: expect.stringMatching(/initialize again/) });
  });

  it('reports a 401 from the endpoint', async () => {
    const { fetchImpl } = scriptedFetch(() => json(401, { error: 'unauthorized', detail: 'key revoked' }));
    let seen = '';
    const client = new McpHttpClient({ url: '/mcp', apiKey: 'k', fetchImpl, onUnauthorized: (e) => (seen = e.detail) });
    await expect(client.initialize()).rejects.toMatchObject({ status: 401 });
    expect(seen).toBe('key revoked');
  });

  it('pulls the messages out of a whole SSE body', () => {
    const text = 'event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\nevent: ping\ndata: x\n\ndata: not json\n\n';
    expect(messagesFromSse(text)).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
  });
});

class FakeSocket {
  static last: FakeSocket | null = null;
  readyState = 0;
  protocol = '';
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.last = this;
    setTimeout(() => {
      this.readyState = 1;
      this.protocol = 'mcp';
      this.onopen?.();
    }, 0);
  }

  send(text: string) {
    const msg = JSON.parse(text) as { id?: number; method?: string };
    this.sent.push(msg);
    if (msg.method === 'initialize') {
      this.reply({ jsonrpc: '2.0', id: msg.id, result: INIT_RESULT });
    } else if (msg.method === 'tools/call') {
      this.reply({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } });
      this.reply({ jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text: 'Echo: ws' }] } });
    }
  }

  reply(message: unknown) {
    setTimeout(() => this.onmessage?.({ data: JSON.stringify(message) }), 0);
  }

  close(code = 1000, reason = '') {
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code, reason }), 0);
  }
}

describe('McpWsClient', () => {
  it('offers the key as a subprotocol next to mcp, and matches answers to requests', async () => {
    const client = new McpWsClient({
      url: 'ws://localhost/api/v1/acme/connectors/c1/mcp',
      apiKey: 'smcp_tu_k',
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    });
    await client.initialize();
    const socket = FakeSocket.last as FakeSocket;
    expect(socket.protocols).toEqual(['mcp', 'sagemcp.bearer.smcp_tu_k']);
    expect(socket.sent.map((m) => m.method)).toEqual(['initialize', 'notifications/initialized']);
    const result = await client.request<{ content: { text: string }[] }>('tools/call', { name: 'echo', arguments: { message: 'ws' } });
    expect(result.content[0].text).toBe('Echo: ws');
    await client.close();
  });

  it('builds ws:// and wss:// URLs and offers only mcp without a key', () => {
    expect(websocketUrl('/api/v1/a/mcp', 'http://127.0.0.1:8000/tester')).toBe('ws://127.0.0.1:8000/api/v1/a/mcp');
    expect(websocketUrl('/api/v1/a/mcp', 'https://admin.example.com/')).toBe('wss://admin.example.com/api/v1/a/mcp');
    expect(websocketProtocols(null)).toEqual(['mcp']);
  });
});
