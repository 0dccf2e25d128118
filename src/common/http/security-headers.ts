import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type CspDirectives = Record<string, string[]>;

/**
 * The security headers helmet sets, computed once for a CSP. Helmet stays the author of the
 * values; what changes is when it runs: @fastify/helmet called `helmet(options)` on every request,
 * which parsed the CSP directives and built its middleware chain each time (8.7% of the API's CPU
 * on /health/live in a profile, docs/benchmarks.md "HTTP"). No header here depends on the request
 * (the CSP has no nonces), so one object serves every answer.
 */
export function securityHeaders(directives: CspDirectives): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet({ contentSecurityPolicy: { directives } })({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    failure = err;
  });
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  if (!headers['content-security-policy']) throw new Error('helmet set no Content-Security-Policy: the security headers could not be computed');
  return Object.freeze(headers);
}
