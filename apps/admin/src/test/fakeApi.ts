/**
 * A scripted `fetch` for provider tests: each call is recorded (method, path, query, headers, body)
 * and answered by the first matching route handler. No network, no timers.
 */
export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Handler = (call: Call) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
}

export function fakeApi() {
  const calls: Call[] = [];
  const routes: { method: string; path: string | RegExp; handler: Handler }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(request.url, 'http://localhost');
    const text = await request.text();
    const call: Call = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    calls.push(call);
    const route = routes.find(
      (r) => r.method === call.method && (typeof r.path === 'string' ? r.path === call.path : r.path.test(call.path)),
    );
    if (!route) return json(404, { code: 'not_found', status: 404 });
    return route.handler(call);
  };
  return {
    calls,
    fetch: fetch as typeof globalThis.fetch,
    on(method: string, path: string | RegExp, handler: Handler) {
      routes.unshift({ method, path, handler });
      return this;
    },
  };
}
