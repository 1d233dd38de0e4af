// The HTTP client of the admin API: adds the Bearer key, turns error answers into ApiError, and
// reports a 401 so the app can send the user back to the login screen.

export class ApiError extends Error {
  readonly status: number;
  /** The server's error code (`error` in `{error, detail}`), or `network` / `http_<status>`. */
  readonly code: string;
  readonly detail: string;
  readonly body: unknown;

  constructor(status: number, code: string, detail: string, body?: unknown) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.body = body;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Not authenticated',
  403: 'Not allowed for this key',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Request too large',
  429: 'Too many requests',
  500: 'Server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
};

/** Builds an ApiError from an error answer: `{error, detail}` JSON, a JSON-RPC error, or text. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let body: unknown = text;
  let code = `http_${res.status}`;
  let detail = '';
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (body && typeof body === 'object') {
    const obj = body as Record<string, unknown>;
    if (typeof obj.error === 'string') {
      code = obj.error;
    }
    if (typeof obj.detail === 'string') {
      detail = obj.detail;
    } else if (obj.error && typeof obj.error === 'object') {
      // A JSON-RPC error answer from an MCP endpoint.
      const rpc = obj.error as Record<string, unknown>;
      if (typeof rpc.message === 'string') {
        detail = rpc.message;
      }
      if (typeof rpc.code === 'number') {
        code = `jsonrpc_${rpc.code}`;
      }
    } else if (typeof obj.message === 'string') {
      detail = obj.message;
    }
  } else if (typeof body === 'string' && body.trim() && body.length < 500) {
    detail = body.trim();
  }
  if (!detail) {
    detail = STATUS_TEXT[res.status] ?? (res.statusText || `HTTP ${res.status}`);
  }
  return new ApiError(res.status, code, detail, body);
}

/** One line for the user about any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) {
      return err.detail;
    }
    return `${err.detail} (HTTP ${err.status}${err.code.startsWith('http_') ? '' : `, ${err.code}`})`;
  }
  if (err instanceof Error) {
    return err.message;
  }
  return String(err);
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not report a 401 to the app (the login screen checks keys itself). */
  quiet401?: boolean;
}

export interface ApiClientOptions {
  /** Prefix of every path; empty for the page's own origin. */
  baseUrl?: string;
  getKey: () => string | null;
  onUnauthorized?: (err: ApiError) => void;
  fetchImpl?: typeof fetch;
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly getKey: () => string | null;
  private readonly fetchImpl: typeof fetch;
  onUnauthorized?: (err: ApiError) => void;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl ?? '';
    this.getKey = options.getKey;
    this.onUnauthorized = options.onUnauthorized;
    // Bound late so tests can replace globalThis.fetch after construction.
    this.fetchImpl = options.fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  }

  url(path: string, query?: RequestOptions['query']): string {
    let url = this.baseUrl + path;
    if (query) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) {
        if (value !== undefined && value !== null && value !== '') {
          params.set(name, String(value));
        }
      }
      const text = params.toString();
      if (text) {
        url += `?${text}`;
      }
    }
    return url;
  }

  /** The headers every call carries: the Bearer key when there is one. */
  authHeaders(): Record<string, string> {
    const key = this.getKey();
    return key ? { Authorization: `Bearer ${key}` } : {};
  }

  /** Sends a request and returns the raw response when it is a success; throws ApiError if not. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      ...this.authHeaders(),
      ...options.headers,
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path, options.query), {
        method,
        headers,
        body,
        signal: options.signal,
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') {
        throw err;
      }
      throw new ApiError(
        0,
        'network',
        `The server could not be reached (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    if (!res.ok) {
      const error = await errorFromResponse(res);
      if (res.status === 401 && !options.quiet401) {
        this.onUnauthorized?.(error);
      }
      throw error;
    }
    return res;
  }

  /** Sends a request and parses its JSON answer (undefined for 204 and empty bodies). */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options);
    if (res.status === 204) {
      return undefined as T;
    }
    const text = await res.text();
    if (!text) {
      return undefined as T;
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, 'bad_response', `The server answered with something other than JSON: ${text.slice(0, 200)}`);
    }
  }

  get<T>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, options);
  }
  post<T>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('POST', path, { ...options, body });
  }
  put<T>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PUT', path, { ...options, body });
  }
  patch<T>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PATCH', path, { ...options, body });
  }
  del<T>(path: string, options?: RequestOptions) {
    return this.request<T>('DELETE', path, options);
  }
}
