// Black-box tests of the session's event streams: the GET stream, event ids, priming events and
// resumption with Last-Event-ID after a dropped or server-ended connection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ACCEPT_BOTH,
  LATEST_VERSION,
  mcpDelete,
  mcpGet,
  openSession,
  rpc,
  sseEvents,
} from '../support/mcp.mjs';
import { useServerWithTenant } from '../support/server.mjs';

/** POSTs a tools/call that streams; returns the fetch response (SSE expected). */
function streamingCall(ctx, session, name, args, opts = {}) {
  const message = rpc('tools/call', { name, arguments: args, _meta: opts.meta ?? {} }, opts.id);
  return fetch(ctx.mcpUrl, {
    method: 'POST',
    headers: {
      accept: ACCEPT_BOTH,
      'content-type': 'application/json',
      authorization: `Bearer ${ctx.tenantKey}`,
      'mcp-session-id': session.sessionId,
      'mcp-protocol-version': session.protocolVersion,
    },
    body: JSON.stringify(message),
    signal: opts.signal,
  });
}

/** Collects events until `done(event, all)` is true or the stream ends. */
async function collect(res, done = () => false) {
  const events = [];
  for await (const event of sseEvents(res)) {
    events.push(event);
    if (done(event, events)) {
      break;
    }
  }
  return events;
}

const isResponse = (event) => {
  if (!event.data) {
    return false;
  }
  const message = JSON.parse(event.data);
  return 'result' in message || 'error' in message;
};

describe('mcp event streams', () => {
  const env = useServerWithTenant();

  describe('GET', () => {
    it('needs a session, an Accept of text/event-stream and a session-era version', async () => {
      const session = await openSession(env.ctx.mcpUrl, env.ctx.tenantKey);
      let res = await mcpGet(env.ctx.mcpUrl, env.ctx.tenantKey, undefined);
      assert.equal(res.status, 400, await res.text());
      res = await mcpGet(env.ctx.mcpUrl, env.ctx.tenantKey, 'no-such-session');
      assert.equal(res.status, 404, await res.text());
      res = await mcpGet(env.ctx.mcpUrl, env.ctx.tenantKey, session.sessionId, {
        accept: 'application/json',
      });
      assert.equal(res.status, 406, await res.text());
      res = await mcpGet(env.ctx.mcpUrl, env.ctx.tenantKey, session.sessionId, {
        headers: { 'mcp-protocol-version': '2026-07-28' },
      });
      assert.equal(res.status, 405, await res.text());
      res = await mcpGet(env.ctx.mcpUrl, undefined, session.sessionId);
      assert.equal(res.status, 401, await res.text());
    });

    it('primes the stream, delivers list changes and updates, and is one per session', async () => {
      const session = await openSession(env.ctx.mcpUrl, env.ctx.tenantKey);
      const caps = session.initResult.capabilities;
      assert.equal(caps.tools.listChanged, true);
      assert.equal(caps.resources.listChanged, true);
      const controller = new AbortController();
      const res = await mcpGet(env.ctx.mcpUrl, env.ctx.tenantKey, session.sessionId, {
        signal: controller.signal,
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type'), /^text\/event-stream/);
      const events = sseEvents(res);
      const priming = (await events.next()).value;
      assert.equal(priming.data, '');
      assert.equal(priming.id, '0-0');
      assert.equal(priming.retry, 1000);

      const second = await mcpGet(env.ctx.mcpUrl, env.ctx.tenantKey, session.sessionId);
      assert.equal(second.status, 409, await second.text());

      let res2 = await session.request('tools/call', { name: 'test_trigger_tool_change' });
      assert.equal(res2.status, 200, res2.text);
      res2 = await session.request('resources/subscribe', { uri: 'test://watched-resource' });
      assert.equal(res2.status, 200, res2.text);
      res2 = await session.request('tools/call', {
        name: 'test_trigger_resource_update',
        arguments: { uri: 'test://other' },
      });
      res2 = await session.request('tools/call', { name: 'test_trigger_resource_update' });
      assert.equal(res2.status, 200, res2.text);

      const changed = (await events.next()).value;
      assert.equal(changed.id, '0-1');
      assert.equal(JSON.parse(changed.data).method, 'notifications/tools/list_changed');
      const updated = (await events.next()).value;
      assert.equal(updated.id, '0-2');
      assert.deepEqual(JSON.parse(updated.data).params, { uri: 'test://watched-resource' });
      controller.abort();
    });

    it('ends when the session is deleted', async () => {
      const session = await openSession(env.ctx.mcpUrl, env.ctx.tenantKey);
      const res = await mcpGet(env.ctx.mcpUrl, env.ctx.tenantKey, session.sessionId);
      assert.equal(res.status, 200);
      const ended = collect(res);
      const del = await mcpDelete(env.ctx.mcpUrl, env.ctx.tenantKey, session.sessionId);
      assert.equal(del.status, 200, del.text);
      const events = await ended;
      assert.deepEqual(
        events.map((e) => e.id),
        ['0-0'],
      );
    });
  });

  describe('resumption', () => {
    it('a dropped stream resumes with Last-Event-ID: no event lost, none duplicated', async () => {
      const session = await openSession(env.ctx.mcpUrl, env.ctx.tenantKey);
      const steps = 8;
      const controller = new AbortController();
      const res = await streamingCall(
        env.ctx,
        session,
        'long_running_operation',
        { duration: 1.6, steps },
        { meta: { progressToken: 'resume-me' }, signal: controller.signal },
      );
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type'), /^text\/event-stream/);
      // Read the priming event and two progress notifications, then drop the connection.
      const before = await collect(res, (_, all) => all.length === 3);
      controller.abort();
      assert.equal(before[0].data, '');
      const lastSeen = before.at(-1).id;
      await new Promise((resolve) => setTimeout(resolve, 500));

      const resumed = await mcpGet(env.ctx.mcpUrl, env.ctx.tenantKey, session.sessionId, {
        lastEventId: lastSeen,
      });
      assert.equal(resumed.status, 200);
      const afterwards = await collect(resumed);
      const events = [...before.slice(1), ...afterwards];
      const ids = events.map((e) => e.id);
      assert.equal(new Set(ids).size, ids.length, `duplicated events: ${ids}`);
      const stream = ids[0].split('-')[0];
      assert.deepEqual(
        ids,
        events.map((_, i) => `${stream}-${i + 1}`),
      );
      const messages = events.map((e) => JSON.parse(e.data));
      const progress = messages
        .filter((m) => m.method === 'notifications/progress')
        .map((m) => m.params.progress);
      assert.deepEqual(
        progress,
        Array.from({ length: steps }, (_, i) => i + 1),
      );
      assert.ok(messages.every((m) => m.method !== 'notifications/progress' || m.params.progressToken === 'resume-me'));
      const response = messages.at(-1);
      assert.match(response.result.content[0].text, /Long running operation completed/);
    });

    it('a stream the server ends mid-call resumes and delivers the result (SEP-1699)', async () => {
      const session = await openSession(env.ctx.mcpUrl, env.ctx.tenantKey);
      const res = await streamingCall(env.ctx, session, 'test_reconnection', {});
      assert.equal(res.status, 200);
      const first = await collect(res);
      assert.equal(first.length, 1, JSON.stringify(first));
      assert.equal(first[0].data, '');
      assert.equal(first[0].retry, 1000);
      const resumed = await mcpGet(env.ctx.mcpUrl, env.ctx.tenantKey, session.sessionId, {
        lastEventId: first[0].id,
      });
      assert.equal(resumed.status, 200);
      const events = await collect(resumed);
      assert.equal(events.length, 1);
      assert.ok(isResponse(events[0]));
      assert.match(JSON.parse(events[0].data).result.content[0].text, /Reconnection test completed/);
    });

    it('an id that names no event of the session is 400', async () => {
      const session = await openSession(env.ctx.mcpUrl, env.ctx.tenantKey);
      const other = await openSession(env.ctx.mcpUrl, env.ctx.tenantKey);
      const res = await streamingCall(env.ctx, other, 'test_reconnection', {});
      const [priming] = await collect(res);
      for (const id of ['garbage', '99-1', priming.id.replace(/-0$/, '-7')]) {
        const get = await mcpGet(env.ctx.mcpUrl, env.ctx.tenantKey, session.sessionId, { lastEventId: id });
        const text = await get.text();
        assert.equal(get.status, 400, `${id}: ${text}`);
        assert.equal(JSON.parse(text).error.code, -32600);
      }
    });

    it('clients before 2025-11-25 get event ids but no priming event', async () => {
      const session = await openSession(env.ctx.mcpUrl, env.ctx.tenantKey, '2025-06-18');
      assert.notEqual(session.protocolVersion, LATEST_VERSION);
      const res = await streamingCall(env.ctx, session, 'test_tool_with_progress', {}, {
        meta: { progressToken: 1 },
      });
      const events = await collect(res);
      assert.ok(events.every((e) => e.data !== ''), JSON.stringify(events));
      assert.deepEqual(
        events.map((e) => e.id.split('-')[1]),
        ['1', '2', '3', '4'],
      );
    });
  });
});
