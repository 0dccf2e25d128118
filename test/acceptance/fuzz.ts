import fc from 'fast-check';

/**
 * Schema-driven fuzzing of the API from its own OpenAPI document (/docs/json), with fast-check:
 * for every operation, requests whose path, query and body follow the documented schema, mutated
 * with hostile values (NUL bytes, unpaired surrogates, deep nesting, tiny and huge numbers,
 * impossible dates, wrong types). Every answer must be below 500 and, when an error, in the one
 * error shape. Used by test/integration/acceptance.int-spec.ts (short run in `make test`) and by
 * `make fuzz` (long run, figures in docs/acceptance.md).
 */

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
  maxItems?: number;
  default?: unknown;
};

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
  multipart: boolean;
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const content = op.requestBody?.content ?? {};
      ops.push({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body: content['application/json']?.schema,
        multipart: 'multipart/form-data' in content,
      });
    }
  }
  return ops;
}

/** Values that broke the API before issue 17, and more of their kind. */
export const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '%00',
  '\ud800',
  'x\udfff',
  '',
  ' ',
  'x'.repeat(10_001),
  '2017-02-30',
  '9999-12-31',
  '0000-00-00',
  '0x10',
  '1e-7',
  '-1',
  'NaN',
  'Infinity',
  "' OR 1=1 --",
  '\\',
  '%',
  '_',
  '(?:',
  '[[[',
  '../../../etc/passwd',
  '=1+1',
  '\n=1+1',
  '<script>alert(1)</script>',
  '😀'.repeat(50),
  'ﬀ\u202e\u200b',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-4fff-bfff-ffffffffffff',
];

const nested = (depth: number): unknown => {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

export const HOSTILE_VALUES: unknown[] = [
  ...HOSTILE_STRINGS,
  null,
  true,
  0,
  -0,
  -1,
  1e-7,
  5e-324,
  1e308,
  -1e308,
  2 ** 53,
  2 ** 31,
  0.333,
  [],
  [[]],
  [null],
  {},
  { a: { b: { c: {} } } },
  nested(40),
  nested(1500),
];

const hostile = fc.constantFrom(...HOSTILE_VALUES);
const hostileString = fc.constantFrom(...HOSTILE_STRINGS);

function resolve(doc: OpenApiDoc, s: Schema | undefined, seen = 0): Schema {
  if (!s) return {};
  if (s.$ref && seen < 10) return resolve(doc, doc.components?.schemas?.[s.$ref.replace('#/components/schemas/', '')], seen + 1);
  if (s.allOf?.length) return s.allOf.reduce<Schema>((acc, part) => {
    const r = resolve(doc, part, seen + 1);
    return { ...acc, ...r, properties: { ...(acc.properties ?? {}), ...(r.properties ?? {}) }, required: [...(acc.required ?? []), ...(r.required ?? [])] };
  }, {});
  return s;
}

/** A value following the schema (mostly), sometimes replaced by a hostile one. */
export function valueOf(doc: OpenApiDoc, schema: Schema | undefined, depth = 0, mutate = 0.15): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  const conforming = ((): fc.Arbitrary<unknown> => {
    if (s.enum?.length) return fc.constantFrom(...s.enum);
    if (s.oneOf?.length || s.anyOf?.length) return fc.oneof(...(s.oneOf ?? s.anyOf ?? []).map((x) => valueOf(doc, x, depth + 1, mutate)));
    switch (s.type) {
      case 'string':
        if (s.format === 'uuid') return fc.uuid();
        if (s.format === 'date') return fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
        if (s.format === 'date-time') return fc.date({ noInvalidDate: true, min: new Date('1970-01-01'), max: new Date('2100-01-01') }).map((d) => d.toISOString());
        if (s.format === 'email') return fc.emailAddress();
        if (s.format === 'uri' || s.format === 'url') return fc.webUrl();
        return fc.string({ maxLength: Math.min(s.maxLength ?? 40, 60), unit: 'binary' });
      case 'integer':
        return fc.integer({ min: s.minimum ?? -10, max: Math.min(s.maximum ?? 1000, 2 ** 31) });
      case 'number':
        return fc.oneof(fc.double({ min: s.minimum ?? -10, max: s.maximum ?? 1000, noNaN: true }), fc.integer({ min: 0, max: 10 }));
      case 'boolean':
        return fc.boolean();
      case 'array':
        return depth > 4 ? fc.constant([]) : fc.array(valueOf(doc, s.items, depth + 1, mutate), { maxLength: Math.min(s.maxItems ?? 3, 3) });
      case 'object':
      default: {
        if (!s.properties || depth > 4) return s.type === 'object' ? fc.constant({}) : fc.oneof(fc.string(), fc.integer(), fc.constant(null));
        const entries = Object.entries(s.properties).map(([k, v]) => [k, valueOf(doc, v, depth + 1, mutate)] as const);
        return fc.record(Object.fromEntries(entries), { requiredKeys: (s.required ?? []).filter((k) => k in s.properties!) });
      }
    }
  })();
  return fc.oneof({ weight: Math.round((1 - mutate) * 100), arbitrary: conforming }, { weight: Math.round(mutate * 100), arbitrary: hostile });
}

/** encodeURIComponent, except that an unpaired surrogate is sent as the bytes Node would write for it. */
export function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  }
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  op: string;
  role: string;
}

/** One request for the operation, as the role (or anonymous), with ids from the pool or hostile ones. */
export function requestOf(doc: OpenApiDoc, op: Operation, ids: string[], tokens: Record<string, string | undefined>): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const pathArb = fc.tuple(...pathParams.map(() => fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 2, arbitrary: hostileString }, { weight: 1, arbitrary: fc.string({ minLength: 101, maxLength: 140 }) })));
  const queryArb = fc.tuple(
    ...queryParams.map((p) =>
      fc.option(
        fc.oneof({ weight: 3, arbitrary: valueOf(doc, p.schema, 1, 0).map((v) => (Array.isArray(v) ? v.join(',') : String(v))) }, { weight: 1, arbitrary: hostileString }, { weight: 1, arbitrary: fc.constantFrom(...ids) }),
        { freq: 2 },
      ),
    ),
  );
  const bodyArb = op.body ? fc.oneof({ weight: 8, arbitrary: valueOf(doc, op.body) }, { weight: 1, arbitrary: hostile }) : fc.constant(undefined);
  const roles = Object.keys(tokens);
  return fc.tuple(pathArb, queryArb, bodyArb, fc.constantFrom(...roles), fc.boolean()).map(([pv, qv, body, role, rawBody]) => {
    let path = op.path;
    pathParams.forEach((p, i) => (path = path.replace(`{${p.name}}`, encode(String(pv[i])))));
    const qs = queryParams
      .map((p, i) => (qv[i] === null ? null : `${encode(p.name)}=${encode(String(qv[i]))}`))
      .filter(Boolean)
      .join('&');
    const headers: Record<string, string> = {};
    const token = tokens[role];
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (op.body && body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = rawBody && typeof body === 'string' ? body : JSON.stringify(body);
    } else if (op.multipart) {
      const boundary = 'fuzzboundary';
      headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
      const cell = typeof body === 'string' ? body : 'x\u0000y';
      payload = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nreference,title\r\n${cell},t\r\n--${boundary}--\r\n`;
    }
    return { method: op.method, url: `${path}${qs ? `?${qs}` : ''}`, headers, body: payload, op: `${op.method} ${op.path}`, role };
  });
}

export interface Verdict {
  status: number;
  problem?: string;
}

const ERROR_KEYS = new Set(['statusCode', 'error', 'message', 'details', 'requestId']);

/** No 5xx; an error is exactly the one error shape, with the request id and the security headers. */
export function judge(status: number, headers: Headers, text: string): Verdict {
  if (status >= 500) return { status, problem: `5xx: ${text.slice(0, 300)}` };
  const requestId = headers.get('x-request-id');
  if (!requestId) return { status, problem: 'no x-request-id header' };
  if (headers.get('x-content-type-options') !== 'nosniff') return { status, problem: 'no security headers' };
  if (status < 400) return { status };
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    return { status, problem: `error body is not JSON: ${text.slice(0, 200)}` };
  }
  const extra = Object.keys(body).filter((k) => !ERROR_KEYS.has(k));
  if (extra.length) return { status, problem: `error body has extra top-level fields: ${extra.join(', ')}` };
  if (body.statusCode !== status || typeof body.error !== 'string' || typeof body.message !== 'string' || body.requestId !== requestId) {
    return { status, problem: `error body is not in the error shape: ${text.slice(0, 300)}` };
  }
  if (body.details !== undefined) {
    if (!Array.isArray(body.details) || !body.details.every((d) => d && typeof d === 'object' && typeof d.field === 'string' && typeof d.reason === 'string')) {
      return { status, problem: `details are not [{ field, reason }]: ${text.slice(0, 300)}` };
    }
  }
  return { status };
}
