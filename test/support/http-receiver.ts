/**
 * A real HTTP server on a free loopback port that records what is POSTed to it, for webhook tests.
 *
 *   const rx = await startHttpReceiver();
 *   rx.respond(() => 503);                      // answer every request 503 until told otherwise
 *   rx.respond((req, n) => (n <= 2 ? 500 : 204)); // fail twice, then succeed
 *   rx.delay(2000);                             // answer only after 2 s
 */
import { createServer, IncomingHttpHeaders } from 'node:http';
import { freePort } from './servers';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  /** The answer it got. */
  status: number;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  respond(fn: (req: ReceivedRequest, n: number) => number): void;
  delay(ms: number): void;
  waitFor(accept: (requests: ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const port = await freePort();
  const requests: ReceivedRequest[] = [];
  let answer: (req: ReceivedRequest, n: number) => number = () => 204;
  let delayMs = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : null;
      } catch {
        json = null;
      }
      const r: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json, status: 0, at: Date.now() };
      const finish = () => {
        if (res.destroyed) return;
        r.status = answer(r, requests.filter((x) => x.status).length + 1);
        requests.push(r);
        res.writeHead(r.status, { 'content-type': 'text/plain' }).end(String(r.status));
      };
      if (delayMs) setTimeout(finish, delayMs);
      else finish();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond: (fn) => (answer = fn),
    delay: (ms) => (delayMs = ms),
    async waitFor(accept, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!accept(requests) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
