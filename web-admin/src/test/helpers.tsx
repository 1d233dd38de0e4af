// Test helpers: a scripted fetch, and rendering inside the app's providers.
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { vi } from 'vitest';

import { Api } from '../api/api';
import { ApiClient } from '../api/client';
import { ToastProvider } from '../components/Toast';

export interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Handler = (call: Call) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** A fetch that records each call and answers with `handler`. */
export function scriptedFetch(handler: Handler) {
  const calls: Call[] = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    let body: unknown = init?.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // Left as text.
      }
    }
    const call = { method: init?.method ?? 'GET', url: String(input), headers, body };
    calls.push(call);
    return handler(call);
  });
  return { fetchImpl: fetchImpl as unknown as typeof fetch, calls };
}

export function testApi(handler: Handler, key = 'smcp_pa_test') {
  const { fetchImpl, calls } = scriptedFetch(handler);
  const api = new Api(new ApiClient({ getKey: () => key, fetchImpl }));
  return { api, calls };
}

export function renderWithProviders(ui: ReactElement, route = '/') {
  return render(
    <MemoryRouter initialEntries={[route]}>
      <ToastProvider>{ui}</ToastProvider>
    </MemoryRouter>,
  );
}
