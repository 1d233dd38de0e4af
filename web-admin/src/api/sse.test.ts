import { describe, expect, it } from 'vitest';

import { SseParser, parseSse, readSse } from './sse';

describe('SSE parsing', () => {
  it('parses events split anywhere across chunks, with CRLF, comments and multi-line data', () => {
    const text = ': keep-alive\r\nid: 7\r\nevent: message\r\ndata: {"a":\r\ndata: 1}\r\n\r\nretry: 3000\ndata: second\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut)), ...parser.end()];
      expect(events).toEqual([
        { event: 'message', data: '{"a":\n1}', id: '7' },
        { event: 'message', data: 'second', id: '7', retry: 3000 },
      ]);
    }
  });

  it('skips events without data and keeps named events', () => {
    expect(parseSse('event: ping\n\nevent: endpoint\ndata: /mcp/messages?sessionId=x\n\n')).toEqual([
      { event: 'endpoint', data: '/mcp/messages?sessionId=x' },
    ]);
  });

  it('dispatches a last event that lacks its blank line when the stream ends', () => {
    expect(parseSse('data: tail')).toEqual([{ event: 'message', data: 'tail' }]);
  });

  it('reads a stream and stops when the callback has enough', async () => {
    const encoder = new TextEncoder();
    const chunks = ['data: {"n":1}\n\nda', 'ta: {"n":2}\n\n', 'data: {"n":3}\n\n'];
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) {
          controller.enqueue(encoder.encode(next));
        } else {
          controller.close();
        }
      },
      cancel() {
        cancelled = true;
      },
    });
    const seen: number[] = [];
    await readSse(body, (e) => {
      seen.push(JSON.parse(e.data).n);
      return seen.length === 2;
    });
    expect(seen).toEqual([1, 2]);
    expect(cancelled).toBe(true);
  });
});
