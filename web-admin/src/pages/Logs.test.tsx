import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { Api } from '../api/api';
import { ApiClient } from '../api/client';
import { TestAuthContext } from '../auth/AuthContext';
import type { AuthState } from '../auth/AuthContext';
import { json, renderWithProviders } from '../test/helpers';
import { Logs } from './Logs';

function renderLogs(stream: (url: string, headers: Headers) => Response) {
  const seen: { url: string; headers: Headers }[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    if (url.startsWith('/api/v1/admin/logs/stream')) {
      seen.push({ url, headers });
      return stream(url, headers);
    }
    if (url.startsWith('/api/v1/admin/tenants')) {
      return json(200, [{ id: 't1', slug: 'acme', name: 'Acme' }]);
    }
    return json(404, { error: 'not_found', detail: 'Not Found' });
  });
  const api = new Api(new ApiClient({ getKey: () => 'smcp_pa_k' }));
  const auth = { api, apiKey: 'smcp_pa_k', identity: null, restoring: false, notice: null, has: () => true } as unknown as AuthState;
  renderWithProviders(
    <TestAuthContext.Provider value={auth}>
      <Logs />
    </TestAuthContext.Provider>,
  );
  return seen;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Live logs', () => {
  it('says plainly when the server has no log stream', async () => {
    renderLogs(() => json(404, { error: 'not_found', detail: 'Not Found' }));
    expect(await screen.findByText('Live logs are not available on this server.')).toBeInTheDocument();
    expect(screen.getByText('not available')).toBeInTheDocument();
  });

  it('reads the stream with the Bearer key and shows each JSON line', async () => {
    const encoder = new TextEncoder();
    const seen = renderLogs(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(encoder.encode(': hello\n\ndata: {"ts":"2026-01-01T00:00:00.000000Z","level":"info","msg":"request","tenant":"acme","status":"200"}\n\n'));
              controller.enqueue(encoder.encode('data: {"ts":"2026-01-01T00:00:01.000000Z","level":"warning","msg":"slow upstream"}\n\n'));
            },
          }),
          { status: 200, headers: { 'content-type': 'text/event-stream' } },
        ),
    );
    expect(await screen.findByText('slow upstream', {}, { timeout: 2000 })).toBeInTheDocument();
    expect(screen.getByText('request')).toBeInTheDocument();
    expect(seen[0].headers.get('authorization')).toBe('Bearer smcp_pa_k');
    expect(seen[0].headers.get('accept')).toBe('text/event-stream');
    expect(screen.getByText('live')).toBeInTheDocument();
  });

  it('sends the level and tenant filters to the server', async () => {
    const seen = renderLogs(() => new Response(new ReadableStream(), { status: 200, headers: { 'content-type': 'text/event-stream' } }));
    await screen.findByText('live');
    await userEvent.selectOptions(screen.getByLabelText('Level'), 'warn');
    await userEvent.selectOptions(await screen.findByLabelText('Tenant'), 'acme');
    await act(async () => {
      await new Promise((r) => setTimeout(r, 50));
    });
    expect(seen.at(-1)?.url).toBe('/api/v1/admin/logs/stream?level=warn&tenant=acme');
  });
});
