// Raw Streamable HTTP (legacy era) helpers: one JSON-RPC message per POST, answered either as
// application/json or as a text/event-stream carrying the response.
import http from 'node:http';

export const ACCEPT_BOTH = 'application/json, text/event-stream';
export const LATEST_VERSION = '2025-11-25';

let nextId = 1;

/** A fresh numeric JSON-RPC id. */
export function freshId() {
  return nextId++;
}

/** Parses an SSE body into the JSON payloads of its `message` events. */
export function parseSse(text) {
  const messages = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event = 'message';
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) {
        event = line.slice(6).trim();
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      }
    }
    if (event === 'message' && data.length > 0 && data.join('').length > 0) {
      messages.push(JSON.parse(data.join('\n')));
    }
  }
  return messages;
}

/**
 * POSTs one message (or `opts.rawBody` verbatim) to an MCP endpoint.
 * opts: {key, sessionId, protocolVersion, accept, contentType, rawBody, headers}.
 * Returns {status, headers, text, json}; `json` is the JSON-RPC response (also when it came
 * inside an SSE stream), or the parsed body, or null.
 */
export async function mcpPost(url, message, opts = {}) {
  const headers = {
    accept: opts.accept === undefined ? ACCEPT_BOTH : opts.accept,
    'content-type': opts.contentType === undefined ? 'application/json' : opts.contentType,
    ...(opts.headers ?? {}),
  };
  for (const [name, value] of Object.entries(headers)) {
    if (value === null) {
      delete headers[name];
    }
  }
  if (opts.key) {
    headers.authorization = `Bearer ${opts.key}`;
  }
  if (opts.sessionId !== undefined) {
    headers['mcp-session-id'] = opts.sessionId;
  }
  if (opts.protocolVersion !== undefined) {
    headers['mcp-protocol-version'] = opts.protocolVersion;
  }
  const body = opts.rawBody !== undefined ? opts.rawBody : JSON.stringify(message);
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let json = null;
  const type = res.headers.get('content-type') ?? '';
  try {
    if (type.startsWith('text/event-stream')) {
      const messages = parseSse(text);
      json = messages.find((m) => 'result' in m || 'error' in m) ?? messages.at(-1) ?? null;
    } else if (text.length > 0) {
      json = JSON.parse(text);
    }
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A JSON-RPC request object. */
export function rpc(method, params, id = freshId()) {
  const message = { jsonrpc: '2.0', id, method };
  if (params !== undefined) {
    message.params = params;
  }
  return message;
}

/** An `initialize` request. */
export function initializeRequest(protocolVersion = LATEST_VERSION, id = freshId()) {
  return rpc(
    'initialize',
    { protocolVersion, capabilities: {}, clientInfo: { name: 'sagemcp-tests', version: '0.0.0' } },
    id,
  );
}

/** Sends `initialize`; returns the raw response plus `sessionId`. */
export async function initialize(url, key, protocolVersion = LATEST_VERSION) {
  const res = await mcpPost(url, initializeRequest(protocolVersion), { key });
  return { ...res, sessionId: res.headers.get('mcp-session-id') ?? undefined };
}

/**
 * Initializes a session (initialize + notifications/initialized) and returns
 * {sessionId, protocolVersion, request(method, params, id), post(message, opts)}.
 */
export async function openSession(url, key, protocolVersion = LATEST_VERSION) {
  const init = await initialize(url, key, protocolVersion);
  if (init.status !== 200 || !init.sessionId) {
    throw new Error(`initialize failed: HTTP ${init.status} ${init.text}`);
  }
  const negotiated = init.json?.result?.protocolVersion ?? protocolVersion;
  const post = (message, opts = {}) =>
    mcpPost(url, message, {
      key,
      sessionId: init.sessionId,
      protocolVersion: negotiated,
      ...opts,
    });
  const ack = await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  if (ack.status !== 202) {
    throw new Error(`notifications/initialized failed: HTTP ${ack.status} ${ack.text}`);
  }
  return {
    sessionId: init.sessionId,
    protocolVersion: negotiated,
    initResult: init.json?.result,
    post,
    request: (method, params, id) => post(rpc(method, params, id)),
  };
}

/** Sends DELETE to the endpoint with optional session id; returns {status, text}. */
export async function mcpDelete(url, key, sessionId) {
  const headers = {};
  if (key) {
    headers.authorization = `Bearer ${key}`;
  }
  if (sessionId !== undefined) {
    headers['mcp-session-id'] = sessionId;
  }
  const res = await fetch(url, { method: 'DELETE', headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/**
 * POSTs `body` with node:http instead of fetch. Unlike fetch, node:http still reports a response
 * that the server sends before it has read the whole body (e.g. an early 413).
 * opts: {key, headers, chunked}. Returns {status, headers, text} or {error}.
 */
export function httpPost(url, body, opts = {}) {
  const headers = {
    accept: ACCEPT_BOTH,
    'content-type': 'application/json',
    ...(opts.headers ?? {}),
  };
  if (opts.key) {
    headers.authorization = `Bearer ${opts.key}`;
  }
  if (!opts.chunked) {
    headers['content-length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('error', (err) => resolve({ error: `${err.code ?? ''} ${err.message}` }));
    if (opts.chunked) {
      const buffer = Buffer.from(body);
      const step = 64 * 1024;
      for (let offset = 0; offset < buffer.length; offset += step) {
        req.write(buffer.subarray(offset, offset + step));
      }
      req.end();
    } else {
      req.end(body);
    }
  });
}

export const STATELESS_VERSION = '2026-07-28';

/**
 * POSTs a 2026-07-28 request: the `_meta` envelope in params and the mirrored headers.
 * opts: {key, capabilities, logLevel, meta (extra or replacing _meta members), headers, id}.
 */
export function statelessPost(url, method, params = {}, opts = {}) {
  const meta = {
    'io.modelcontextprotocol/protocolVersion': STATELESS_VERSION,
    'io.modelcontextprotocol/clientCapabilities': opts.capabilities ?? {},
    'io.modelcontextprotocol/clientInfo': { name: 'sagemcp-tests', version: '0.0.0' },
    ...(opts.logLevel ? { 'io.modelcontextprotocol/logLevel': opts.logLevel } : {}),
    ...(opts.meta ?? {}),
  };
  const headers = { 'mcp-protocol-version': STATELESS_VERSION, 'mcp-method': method };
  if (method === 'tools/call' || method === 'prompts/get') {
    headers['mcp-name'] = params.name;
  } else if (method === 'resources/read') {
    headers['mcp-name'] = params.uri;
  }
  return mcpPost(url, rpc(method, { ...params, _meta: meta }, opts.id), {
    key: opts.key,
    headers: { ...headers, ...(opts.headers ?? {}) },
  });
}

/**
 * Reads the SSE events of a fetch response as they arrive: an async iterator of
 * {id, event, data, retry}; `data` is the raw text (empty for a priming event).
 */
export async function* sseEvents(res) {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const event = { id: undefined, event: 'message', data: undefined, retry: undefined };
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon === 0) {
          continue; // a comment (keep-alive)
        }
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') {
          event.id = value;
        } else if (field === 'event') {
          event.event = value;
        } else if (field === 'data') {
          data.push(value);
        } else if (field === 'retry') {
          event.retry = Number(value);
        }
      }
      if (event.id === undefined && data.length === 0) {
        continue;
      }
      event.data = data.join('\n');
      yield event;
    }
  }
}

/** Opens the session's GET stream; `lastEventId` resumes a stream. Returns the fetch response. */
export function mcpGet(url, key, sessionId, opts = {}) {
  const headers = { accept: opts.accept ?? 'text/event-stream' };
  if (key) {
    headers.authorization = `Bearer ${key}`;
  }
  if (sessionId !== undefined) {
    headers['mcp-session-id'] = sessionId;
  }
  if (opts.lastEventId !== undefined) {
    headers['last-event-id'] = opts.lastEventId;
  }
  Object.assign(headers, opts.headers ?? {});
  return fetch(url, { method: 'GET', headers, signal: opts.signal });
}
