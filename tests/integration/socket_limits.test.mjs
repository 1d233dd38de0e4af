// Every socket is bounded: header size (431), body size (413), and clients too slow to send
// their headers or body are cut off; UI and API responses carry the security headers.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { startServer } from '../support/server.mjs';

/** Opens a raw socket, writes `chunks` (strings, or numbers = pauses in ms) and resolves with
 * {data, closedAfterMs} once the server closes the connection (or after `limitMs`). */
function rawExchange(port, chunks, limitMs = 6000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const started = Date.now();
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ data, closedAfterMs: null });
    }, limitMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data, closedAfterMs: Date.now() - started });
    });
    socket.on('error', (err) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') {
        reject(err);
      }
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (typeof chunk === 'number') {
          await new Promise((r) => setTimeout(r, chunk));
        } else if (!socket.destroyed) {
          socket.write(chunk);
        }
      }
    });
  });
}

describe('socket limits', () => {
  let server;
  let port;

  before(async () => {
    server = await startServer({
      auth: true,
      env: {
        SAGEMCP_HEADER_TIMEOUT_SECONDS: '1',
        SAGEMCP_BODY_TIMEOUT_SECONDS: '1',
        SAGEMCP_MAX_HEADER_BYTES: '4096',
      },
    });
    port = Number(new URL(server.baseUrl).port);
  });

  after(async () => {
    await server?.stop();
  });

  test('a client that never finishes its headers is cut off', async () => {
    const res = await rawExchange(port, ['GET /health HTTP/1.1\r\nHost: x\r\n', 3000]);
    assert.ok(res.closedAfterMs !== null && res.closedAfterMs < 2500,
      `closed after ${res.closedAfterMs} ms`);
  });

  test('an idle keep-alive connection is closed', async () => {
    const res = await rawExchange(port, ['GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n', 3000]);
    assert.match(res.data, /^HTTP\/1\.1 200/);
    assert.ok(res.closedAfterMs !== null && res.closedAfterMs < 2500);
  });

  test('a client that trickles its body is cut off', async () => {
    const res = await rawExchange(port, [
      'POST /api/v1/auth/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
        + 'Content-Length: 100\r\n\r\n{', 500, '"a', 500, '":', 500, '1', 3000]);
    assert.ok(res.closedAfterMs !== null && res.closedAfterMs < 2800,
      `closed after ${res.closedAfterMs} ms`);
    assert.doesNotMatch(res.data, /^HTTP\/1\.1 200/);
  });

  test('oversized headers are 431 and oversized bodies 413', async () => {
    const big = await rawExchange(port,
      [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`]);
    assert.match(big.data, /^HTTP\/1\.1 431/);
    assert.match(big.data, /X-Content-Type-Options: nosniff/i);
    const body = await rawExchange(port, [
      `POST /api/v1/auth/verify HTTP/1.1\r\nHost: x\r\nContent-Length: ${8 * 1024 * 1024}\r\n\r\n`]);
    assert.match(body.data, /^HTTP\/1\.1 413/);
  });

  test('pipelined requests are answered in order on one connection', async () => {
    const res = await rawExchange(port, [
      'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n'
        + 'GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 3000]);
    const statuses = [...res.data.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '404', '200']);
    assert.match(res.data, /Connection: close\r\n/i);
    assert.ok(res.closedAfterMs !== null && res.closedAfterMs < 900,
      `closed after ${res.closedAfterMs} ms`);
  });

  test('HTTP/1.0 connections close unless they ask to be kept alive', async () => {
    const plain = await rawExchange(port, ['GET /health/live HTTP/1.0\r\n\r\n', 3000]);
    assert.match(plain.data, /^HTTP\/1\.0 200/);
    assert.doesNotMatch(plain.data, /Connection: keep-alive/i);
    assert.ok(plain.closedAfterMs !== null && plain.closedAfterMs < 900);
    const kept = await rawExchange(port,
      ['GET /health/live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', 300,
        'GET /health/live HTTP/1.0\r\n\r\n', 3000]);
    assert.equal([...kept.data.matchAll(/HTTP\/1\.0 200 /g)].length, 2);
    assert.match(kept.data, /Connection: keep-alive\r\n/i);
  });

  test('every response states its length once', async () => {
    const res = await rawExchange(port, ['GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n', 1500]);
    const head = res.data.slice(0, res.data.indexOf('\r\n\r\n'));
    const body = res.data.slice(head.length + 4);
    const lengths = [...head.matchAll(/^Content-Length: (\d+)$/gim)].map((m) => Number(m[1]));
    assert.deepEqual(lengths, [Buffer.byteLength(body)]);
    assert.equal([...head.matchAll(/^Cache-Control:/gim)].length, 1);
    assert.equal([...head.matchAll(/^X-Content-Type-Options:/gim)].length, 1);
  });

  test('the header deadline of a keep-alive connection runs from the end of its last response',
    async () => {
    // The first request is answered; the second's headers start late and never end.
    const res = await rawExchange(port, ['GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n', 600,
      'GET /health/live HTTP/1.1\r\nHost: x\r\n', 3000]);
    assert.equal([...res.data.matchAll(/HTTP\/1\.1 200 /g)].length, 1);
    assert.ok(res.closedAfterMs !== null && res.closedAfterMs > 900 && res.closedAfterMs < 1500,
      `closed after ${res.closedAfterMs} ms`);
  });

  test('responses carry the security headers', async () => {
    for (const route of ['/', '/health/ready', '/api/v1/admin/tenants', '/nowhere']) {
      const res = await fetch(`${server.baseUrl}${route}`);
      await res.arrayBuffer();
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', route);
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, route);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', route);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', route);
      assert.equal(res.headers.get('cache-control'), 'no-store', route);
    }
  });
});
