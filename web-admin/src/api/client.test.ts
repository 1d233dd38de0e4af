import { describe, expect, it, vi } from 'vitest';

import { json, scriptedFetch } from '../test/helpers';
import { Api } from './api';
import { ApiClient, ApiError, describeError } from './client';

describe('ApiClient', () => {
  it('sends the key as a Bearer token and JSON bodies with their content type', async () => {
    const { fetchImpl, calls } = scriptedFetch(() => json(201, { id: 't1', slug: 'acme' }));
    const api = new Api(new ApiClient({ getKey: () => 'smcp_pa_abc', fetchImpl }));
    const tenant = await api.createTenant({ slug: 'acme', name: 'Acme' } as never);
    expect(tenant.slug).toBe('acme');
    expect(calls[0].method).toBe('POST');
    expect(calls[0].url).toBe('/api/v1/admin/tenants');
    expect(calls[0].headers.authorization).toBe('Bearer smcp_pa_abc');
    expect(calls[0].headers['content-type']).toBe('application/json');
    expect(calls[0].body).toEqual({ slug: 'acme', name: 'Acme' });
  });

  it('sends no Authorization header without a key', async () => {
    const { fetchImpl, calls } = scriptedFetch(() => json(200, []));
    const client = new ApiClient({ getKey: () => null, fetchImpl });
    await client.get('/api/v1/admin/tenants');
    expect(calls[0].headers.authorization).toBeUndefined();
  });

  it('encodes path parts and leaves empty query parameters out', async () => {
    const { fetchImpl, calls } = scriptedFetch(() => json(200, []));
    const api = new Api(new ApiClient({ getKey: () => 'k', fetchImpl }));
    await api.sessions('acme');
    await api.sessions();
    await api.setTool('acme', 'c/1', 'a b', false);
    expect(calls[0].url).toBe('/api/v1/admin/sessions?tenant_slug=acme');
    expect(calls[1].url).toBe('/api/v1/admin/sessions');
    expect(calls[2].url).toBe('/api/v1/admin/tenants/acme/connectors/c%2F1/tools/a%20b');
    expect(calls[2].body).toEqual({ is_enabled: false });
  });

  it('maps {error, detail} answers to ApiError with the server’s words', async () => {
    const { fetchImpl } = scriptedFetch(() =>
      json(409, { error: 'conflict', detail: "Tenant 'acme' already exists" }),
    );
    const client = new ApiClient({ getKey: () => 'k', fetchImpl });
    const err = await client.post('/api/v1/admin/tenants', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'conflict', detail: "Tenant 'acme' already exists" });
    expect(describeError(err)).toBe("Tenant 'acme' already exists (HTTP 409, conflict)");
  });

  it('maps JSON-RPC error answers and plain text answers', async () => {
    const rpc = scriptedFetch(() => json(400, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Bad Request: no session' } }));
    const err = await new ApiClient({ getKey: () => 'k', fetchImpl: rpc.fetchImpl }).get('/x').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'jsonrpc_-32600', detail: 'Bad Request: no session' });

    const text = scriptedFetch(() => new Response('upstream timed out', { status: 504 }));
    const err2 = await new ApiClient({ getKey: () => 'k', fetchImpl: text.fetchImpl }).get('/x').catch((e: unknown) => e);
    expect(err2).toMatchObject({ status: 504, code: 'http_504', detail: 'upstream timed out' });

    const empty = scriptedFetch(() => new Response('', { status: 503 }));
    const err3 = await new ApiClient({ getKey: () => 'k', fetchImpl: empty.fetchImpl }).get('/x').catch((e: unknown) => e);
    expect(err3).toMatchObject({ status: 503, detail: 'Service unavailable' });
  });

  it('reports a 401 to the app, unless told not to', async () => {
    const { fetchImpl } = scriptedFetch(() =>
      json(401, { error: 'unauthorized', detail: 'Unauthorized: a valid API key is required' }, { 'www-authenticate': 'Bearer' }),
    );
    const onUnauthorized = vi.fn();
    const client = new ApiClient({ getKey: () => 'k', fetchImpl, onUnauthorized });
    await expect(client.get('/api/v1/admin/tenants')).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(onUnauthorized.mock.calls[0][0].detail).toBe('Unauthorized: a valid API key is required');
    await expect(client.get('/api/v1/auth/verify', { quiet401: true })).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('turns an unreachable server into a readable error', async () => {
    const fetchImpl = (() => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof fetch;
    const client = new ApiClient({ getKey: () => 'k', fetchImpl });
    const err = await client.get('/api/v1/admin/stats').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0, code: 'network' });
    expect(describeError(err)).toMatch(/could not be reached.*Failed to fetch/);
  });

  it('answers undefined for 204', async () => {
    const { fetchImpl } = scriptedFetch(() => new Response(null, { status: 204 }));
    const api = new Api(new ApiClient({ getKey: () => 'k', fetchImpl }));
    await expect(api.deleteTenant('acme')).resolves.toBeUndefined();
  });
});
