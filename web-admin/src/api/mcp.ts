// A small MCP client for the tester: Streamable HTTP (session era) and WebSocket, recording every
// JSON-RPC message both ways so the page can show the raw exchange.
import { ApiError, errorFromResponse } from './client';
import { SseParser } from './sse';

export const MCP_PROTOCOL_VERSION = '2025-11-25';
export const CLIENT_INFO = { name: 'sagemcp-web-admin', version: '0.1.0' };

export type JsonRpcId = number | string;

export interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: JsonRpcId | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: JsonRpcError;
}

export type Transport = 'http' | 'ws';

/** One line of the raw exchange: a message sent or received, or a note about the transport. */
export interface ExchangeEntry {
  seq: number;
  at: number;
  transport: Transport;
  direction: 'out' | 'in' | 'note';
  message?: JsonRpcMessage | unknown;
  note?: string;
}

export class McpError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(error: JsonRpcError) {
    super(error.message);
    this.name = 'McpError';
    this.code = error.code;
    this.data = error.data;
  }
}

export interface Tool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export interface InitializeResult {
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  serverInfo?: { name: string; title?: string; version?: string };
  instructions?: string;
}

export interface McpClient {
  readonly transport: Transport;
  initialize(): Promise<InitializeResult>;
  request<T = unknown>(method: string, params?: unknown): Promise<T>;
  close(): Promise<void>;
}

type ExchangeListener = (entry: Omit<ExchangeEntry, 'seq' | 'at'>) => void;

function isResponse(m: JsonRpcMessage): boolean {
  return m.method === undefined && m.id !== undefined && ('result' in m || 'error' in m);
}

function isServerRequest(m: JsonRpcMessage): boolean {
  return typeof m.method === 'string' && m.id !== undefined && m.id !== null;
}

/** The JSON-RPC messages of an SSE body (data of `message` events that are JSON). */
export function messagesFromSse(text: string): JsonRpcMessage[] {
  const parser = new SseParser();
  return [...parser.push(text), ...parser.end()]
    .filter((e) => e.event === 'message' && e.data.trim() !== '')
    .flatMap((e) => {
      try {
        const parsed = JSON.parse(e.data) as JsonRpcMessage | JsonRpcMessage[];
        return Array.isArray(parsed) ? parsed : [parsed];
      } catch {
        return [];
      }
    });
}

// The tester asks for nothing from its client side, so a server request it sends anyway gets
// a "method not found" answer rather than hanging the server's call.
function refusal(request: JsonRpcMessage): JsonRpcMessage {
  return {
    jsonrpc: '2.0',
    id: request.id,
    error: { code: -32601, message: `The admin tester does not answer '${request.method}'` },
  };
}

function initializeParams() {
  return { protocolVersion: MCP_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO };
}

export interface HttpClientOptions {
  /** The endpoint, absolute or relative to the page. */
  url: string;
  apiKey: string | null;
  onExchange?: ExchangeListener;
  onUnauthorized?: (err: ApiError) => void;
  fetchImpl?: typeof fetch;
}

/** Streamable HTTP in the session era: initialize, then requests carrying Mcp-Session-Id. */
export class McpHttpClient implements McpClient {
  readonly transport = 'http' as const;
  sessionId: string | null = null;
  protocolVersion: string = MCP_PROTOCOL_VERSION;
  private nextId = 1;
  private readonly options: HttpClientOptions;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.fetchImpl = options.fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  }

  private log(entry: Omit<ExchangeEntry, 'seq' | 'at' | 'transport'>) {
    this.options.onExchange?.({ transport: 'http', ...entry });
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = {
      Accept: 'application/json, text/event-stream',
      'Content-Type': 'application/json',
    };
    if (this.options.apiKey) {
      headers.Authorization = `Bearer ${this.options.apiKey}`;
    }
    if (this.sessionId) {
      headers['Mcp-Session-Id'] = this.sessionId;
      headers['MCP-Protocol-Version'] = this.protocolVersion;
    }
    return headers;
  }

  /** POSTs one message; for a request, resolves with its response (from JSON or SSE). */
  private async post(message: JsonRpcMessage): Promise<JsonRpcMessage | undefined> {
    this.log({ direction: 'out', message });
    let res: Response;
    try {
      res = await this.fetchImpl(this.options.url, {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify(message),
      });
    } catch (err) {
      throw new ApiError(0, 'network', `The MCP endpoint could not be reached (${String(err)})`);
    }
    const type = res.headers.get('content-type') ?? '';
    this.log({ direction: 'note', note: `HTTP ${res.status}${type ? ` ${type.split(';')[0]}` : ''}` });
    if (!res.ok) {
      const error = await errorFromResponse(res);
      if (error.body && typeof error.body === 'object') {
        this.log({ direction: 'in', message: error.body });
      }
      if (res.status === 401) {
        this.options.onUnauthorized?.(error);
      }
      if (res.status === 404 && this.sessionId) {
        throw new ApiError(404, error.code, `${error.detail}: the session ended; initialize again`, error.body);
      }
      throw error;
    }
    if (message.id === undefined) {
      await res.body?.cancel().catch(() => {});
      return undefined;
    }
    if (type.startsWith('text/event-stream')) {
      return this.readStream(res, message.id as JsonRpcId);
    }
    const text = await res.text();
    if (!text) {
      throw new ApiError(res.status, 'empty_response', 'The server sent an empty answer');
    }
    const parsed = JSON.parse(text) as JsonRpcMessage | JsonRpcMessage[];
    const all = Array.isArray(parsed) ? parsed : [parsed];
    for (const m of all) {
      this.log({ direction: 'in', message: m });
    }
    const answer = all.find((m) => isResponse(m) && m.id === message.id);
    if (!answer) {
      throw new ApiError(res.status, 'no_response', 'The answer held no response to the request');
    }
    return answer;
  }

  // Reads an event stream until the response to `id` arrives; notifications and server requests
  // before it are recorded (and server requests refused).
  private async readStream(res: Response, id: JsonRpcId): Promise<JsonRpcMessage> {
    if (!res.body) {
      return this.fromText(await res.text(), id);
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    const handle = (data: string): JsonRpcMessage | undefined => {
      if (!data.trim()) {
        return undefined;
      }
      let m: JsonRpcMessage;
      try {
        m = JSON.parse(data) as JsonRpcMessage;
      } catch {
        this.log({ direction: 'note', note: `Unreadable event data: ${data.slice(0, 200)}` });
        return undefined;
      }
      this.log({ direction: 'in', message: m });
      if (isServerRequest(m)) {
        void this.post(refusal(m)).catch(() => {});
        return undefined;
      }
      return isResponse(m) && m.id === id ? m : undefined;
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        const events = done ? parser.end() : parser.push(decoder.decode(value, { stream: true }));
        for (const event of events) {
          if (event.event !== 'message') {
            continue;
          }
          const answer = handle(event.data);
          if (answer) {
            await reader.cancel().catch(() => {});
            return answer;
          }
        }
        if (done) {
          throw new ApiError(res.status, 'no_response', 'The event stream ended without a response');
        }
      }
    } finally {
      try {
        reader.releaseLock();
      } catch {
        // Released by cancel().
      }
    }
  }

  private fromText(text: string, id: JsonRpcId): JsonRpcMessage {
    let answer: JsonRpcMessage | undefined;
    for (const m of messagesFromSse(text)) {
      this.log({ direction: 'in', message: m });
      if (isResponse(m) && m.id === id) {
        answer = m;
      }
    }
    if (!answer) {
      throw new ApiError(200, 'no_response', 'The event stream ended without a response');
    }
    return answer;
  }

  async initialize(): Promise<InitializeResult> {
    this.sessionId = null;
    const message: JsonRpcMessage = {
      jsonrpc: '2.0',
      id: this.nextId++,
      method: 'initialize',
      params: initializeParams(),
    };
    this.log({ direction: 'out', message });
    const res = await this.fetchImpl(this.options.url, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify(message),
    }).catch((err) => {
      throw new ApiError(0, 'network', `The MCP endpoint could not be reached (${String(err)})`);
    });
    const type = res.headers.get('content-type') ?? '';
    const session = res.headers.get('mcp-session-id');
    this.log({
      direction: 'note',
      note: `HTTP ${res.status}${type ? ` ${type.split(';')[0]}` : ''}${session ? `, Mcp-Session-Id: ${session}` : ''}`,
    });
    if (!res.ok) {
      const error = await errorFromResponse(res);
      if (error.body && typeof error.body === 'object') {
        this.log({ direction: 'in', message: error.body });
      }
      if (res.status === 401) {
        this.options.onUnauthorized?.(error);
      }
      throw error;
    }
    const answer = type.startsWith('text/event-stream')
      ? await this.readStream(res, message.id as JsonRpcId)
      : await res.text().then((text) => {
          const m = JSON.parse(text) as JsonRpcMessage;
          this.log({ direction: 'in', message: m });
          return m;
        });
    if (answer.error) {
      throw new McpError(answer.error);
    }
    const result = answer.result as InitializeResult;
    this.sessionId = session;
    this.protocolVersion = result.protocolVersion ?? MCP_PROTOCOL_VERSION;
    await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return result;
  }

  async request<T = unknown>(method: string, params?: unknown): Promise<T> {
    const message: JsonRpcMessage = { jsonrpc: '2.0', id: this.nextId++, method };
    if (params !== undefined) {
      message.params = params;
    }
    const answer = await this.post(message);
    if (!answer) {
      throw new ApiError(0, 'no_response', 'No response');
    }
    if (answer.error) {
      throw new McpError(answer.error);
    }
    return answer.result as T;
  }

  /** Ends the session with DELETE. */
  async close(): Promise<void> {
    if (!this.sessionId) {
      return;
    }
    const headers = this.headers();
    this.sessionId = null;
    try {
      const res = await this.fetchImpl(this.options.url, { method: 'DELETE', headers });
      this.log({ direction: 'note', note: `DELETE session: HTTP ${res.status}` });
    } catch {
      // The session expires on its own.
    }
  }
}

/** The subprotocols of the tester's WebSocket: `mcp`, and the key for servers that take it so. */
export function websocketProtocols(apiKey: string | null): string[] {
  return apiKey ? ['mcp', `sagemcp.bearer.${apiKey}`] : ['mcp'];
}

/** The ws:// or wss:// form of an endpoint path or URL, relative to `base`. */
export function websocketUrl(url: string, base: string): string {
  const absolute = new URL(url, base);
  absolute.protocol = absolute.protocol === 'https:' ? 'wss:' : 'ws:';
  return absolute.toString();
}

export interface WsClientOptions {
  /** ws:// or wss:// URL. */
  url: string;
  apiKey: string | null;
  onExchange?: ExchangeListener;
  /** Called when the connection closes after it opened. */
  onClose?: (code: number, reason: string) => void;
  WebSocketImpl?: typeof WebSocket;
  timeoutMs?: number;
}

interface Pending {
  resolve: (m: JsonRpcMessage) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** MCP over WebSocket: subprotocol `mcp`, one JSON-RPC message per text frame. */
export class McpWsClient implements McpClient {
  readonly transport = 'ws' as const;
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<JsonRpcId, Pending>();
  private readonly options: WsClientOptions;

  constructor(options: WsClientOptions) {
    this.options = options;
  }

  private log(entry: Omit<ExchangeEntry, 'seq' | 'at' | 'transport'>) {
    this.options.onExchange?.({ transport: 'ws', ...entry });
  }

  get connected(): boolean {
    return this.socket?.readyState === 1;
  }

  private open(): Promise<WebSocket> {
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    return new Promise((resolve, reject) => {
      let opened = false;
      let socket: WebSocket;
      try {
        socket = new Impl(this.options.url, websocketProtocols(this.options.apiKey));
      } catch (err) {
        reject(new ApiError(0, 'websocket', `The WebSocket could not be opened: ${String(err)}`));
        return;
      }
      this.log({ direction: 'note', note: `Connecting to ${this.options.url}` });
      socket.onopen = () => {
        opened = true;
        this.log({ direction: 'note', note: `WebSocket open, subprotocol '${socket.protocol}'` });
        if (socket.protocol !== 'mcp') {
          socket.close(1002, 'subprotocol');
          reject(new ApiError(0, 'websocket', `The server chose subprotocol '${socket.protocol}', not 'mcp'`));
          return;
        }
        resolve(socket);
      };
      socket.onerror = () => {
        if (!opened) {
          reject(
            new ApiError(
              0,
              'websocket',
              'The WebSocket was refused. The server must accept the API key as the subprotocol ' +
                "'sagemcp.bearer.<key>' (browsers cannot send an Authorization header on a WebSocket).",
            ),
          );
        }
      };
      socket.onclose = (event) => {
        this.log({ direction: 'note', note: `WebSocket closed (${event.code}${event.reason ? ` ${event.reason}` : ''})` });
        for (const [, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new ApiError(0, 'websocket', `The WebSocket closed (${event.code})`));
        }
        this.pending.clear();
        if (this.socket === socket) {
          this.socket = null;
        }
        if (opened) {
          this.options.onClose?.(event.code, event.reason);
        } else {
          reject(new ApiError(0, 'websocket', `The WebSocket closed before it opened (${event.code})`));
        }
      };
      socket.onmessage = (event) => this.receive(socket, event.data);
    });
  }

  private receive(socket: WebSocket, data: unknown) {
    if (typeof data !== 'string') {
      this.log({ direction: 'note', note: 'A binary frame was ignored' });
      return;
    }
    let parsed: JsonRpcMessage | JsonRpcMessage[];
    try {
      parsed = JSON.parse(data) as JsonRpcMessage | JsonRpcMessage[];
    } catch {
      this.log({ direction: 'note', note: `Unreadable frame: ${data.slice(0, 200)}` });
      return;
    }
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
      this.log({ direction: 'in', message: m });
      if (isServerRequest(m)) {
        this.send(socket, refusal(m));
        continue;
      }
      if (isResponse(m) && m.id !== null && m.id !== undefined) {
        const p = this.pending.get(m.id);
        if (p) {
          clearTimeout(p.timer);
          this.pending.delete(m.id);
          p.resolve(m);
        }
      }
    }
  }

  private send(socket: WebSocket, message: JsonRpcMessage) {
    this.log({ direction: 'out', message });
    socket.send(JSON.stringify(message));
  }

  private call(socket: WebSocket, method: string, params?: unknown): Promise<JsonRpcMessage> {
    const id = this.nextId++;
    const message: JsonRpcMessage = { jsonrpc: '2.0', id, method };
    if (params !== undefined) {
      message.params = params;
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiError(0, 'timeout', `No answer to '${method}' within ${(this.options.timeoutMs ?? 60000) / 1000} s`));
      }, this.options.timeoutMs ?? 60000);
      this.pending.set(id, { resolve, reject, timer });
      this.send(socket, message);
    });
  }

  async initialize(): Promise<InitializeResult> {
    await this.close();
    const socket = await this.open();
    this.socket = socket;
    const answer = await this.call(socket, 'initialize', initializeParams());
    if (answer.error) {
      throw new McpError(answer.error);
    }
    this.send(socket, { jsonrpc: '2.0', method: 'notifications/initialized' });
    return answer.result as InitializeResult;
  }

  async request<T = unknown>(method: string, params?: unknown): Promise<T> {
    if (!this.socket || this.socket.readyState !== 1) {
      throw new ApiError(0, 'websocket', 'The WebSocket is not open; initialize first');
    }
    const answer = await this.call(this.socket, method, params);
    if (answer.error) {
      throw new McpError(answer.error);
    }
    return answer.result as T;
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= 1) {
      socket.close(1000, 'done');
    }
  }
}

/** Every tool of a connector, following nextCursor pages. */
export async function listAllTools(client: McpClient): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const result = await client.request<{ tools: Tool[]; nextCursor?: string }>(
      'tools/list',
      cursor ? { cursor } : {},
    );
    tools.push(...(result.tools ?? []));
    cursor = result.nextCursor;
    if (!cursor) {
      break;
    }
  }
  return tools;
}
