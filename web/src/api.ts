// The server's JSON API, called with the signed-in token. Every refusal becomes an ApiError
// carrying the server's code, message, field and request id, which the pages show as they are.

import type { Page } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Percent-encodes one path segment (party ids contain ':'). */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}

async function errorFrom(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; field?: string; request_id?: string };
    };
    if (body.error) {
      return new ApiError(
        response.status,
        body.error.code ?? `http_${response.status}`,
        body.error.message ?? response.statusText,
        body.error.field,
        body.error.request_id ?? response.headers.get('X-Request-Id') ?? undefined,
      );
    }
  } catch {
    // Not JSON (a proxy's page, say): fall through and show the status and text.
  }
  return new ApiError(
    response.status,
    `http_${response.status}`,
    text.trim().slice(0, 300) || response.statusText || 'the server refused the request',
    undefined,
    response.headers.get('X-Request-Id') ?? undefined,
  );
}

export class Api {
  constructor(
    private readonly token: string,
    private readonly base = '',
  ) {}

  private async send(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept, Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (error) {
      throw new ApiError(0, 'network', `the server could not be reached (${(error as Error).message})`);
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    return (await (await this.send('GET', withQuery(path, query))).json()) as T;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return (await (await this.send('POST', path, body)).json()) as T;
  }

  async delete(path: string): Promise<void> {
    await this.send('DELETE', path);
  }

  /** A text export (CSV, DSR) as a Blob, for a download. */
  async download(path: string, query?: Query): Promise<Blob> {
    return (await this.send('GET', withQuery(path, query), undefined, '*/*')).blob();
  }

  /** One page of a list. */
  page<T>(path: string, query: Query = {}): Promise<Page<T>> {
    return this.get<Page<T>>(path, query);
  }

  /** Every item of a list, following cursors (for short lists: parties, runs, tokens). */
  async all<T>(path: string, query: Query = {}, maxPages = 50): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < maxPages; i++) {
      const page: Page<T> = await this.page<T>(path, { ...query, limit: 200, cursor });
      items.push(...page.items);
      cursor = page.next_cursor;
      if (!cursor) return items;
    }
    return items;
  }
}
