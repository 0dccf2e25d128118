import 'reflect-metadata';
import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { createValidationPipe } from '../../common/errors/validation';
import { EstablishmentStatus, POSTS_PAGE_MAX, Scope } from '../establishment.constants';
import { ListPostsQuery } from './post.dto';

const meta: ArgumentMetadata = { type: 'query', metatype: ListPostsQuery, data: undefined };
const pipe = createValidationPipe();
/** The ValidationPipe alone (class-transformer and class-validator), without the fast path. */
const reference = (value: object) => ValidationPipe.prototype.transform.call(pipe, value, meta);

async function outcome(run: () => Promise<unknown>): Promise<{ ok: unknown } | { error: unknown }> {
  try {
    return { ok: await run() };
  } catch (err) {
    return { error: { name: (err as Error).constructor.name, status: (err as { getStatus(): number }).getStatus(), body: (err as { getResponse(): unknown }).getResponse(), details: (err as { details?: unknown }).details } };
  }
}

const uuid = '4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e';
const values: Record<string, unknown[]> = {
  programmeId: [uuid, uuid.toUpperCase(), '4b0b2c8e-8a6f-0d3e-9d55-6a1f2b3c4d5e', '00000000-0000-0000-0000-000000000000', 'not-a-uuid', `${uuid} `, '', [uuid, uuid]],
  organisationId: [uuid, 'x'],
  thematicAreaId: [uuid, '4b0b2c8e8a6f4d3e9d556a1f2b3c4d5e'],
  gradeId: [uuid, 42],
  scope: [...Object.values(Scope), 'IN_SCOPE', 'nonsense', ''],
  status: [...Object.values(EstablishmentStatus), 'Deleted', ''],
  q: ['a', 'Commissioning manager', 'x'.repeat(100), 'x'.repeat(101), '😀'.repeat(100), '😀'.repeat(101), '', ['a', 'b']],
  cursor: ['eyJpZCI6MX0', 'c'.repeat(500), 'c'.repeat(501), ''],
  limit: ['1', '50', String(POSTS_PAGE_MAX), String(POSTS_PAGE_MAX + 1), '0', '-1', '050', '00', '1.5', ' 50', '50 ', '1e2', '+5', 'fifty', '', '9'.repeat(16), ['10', '20'], 50],
  unknownField: ['1'],
  __proto__x: ['1'],
};

function* inputs(): Generator<Record<string, unknown>> {
  yield {};
  for (const [key, list] of Object.entries(values)) for (const v of list) yield { [key]: v };
  // Pairs and triples, deterministic.
  let seed = 7;
  const pick = <T>(list: T[]) => list[(seed = (seed * 48271) % 2147483647) % list.length];
  const keys = Object.keys(values);
  for (let i = 0; i < 400; i++) {
    const input: Record<string, unknown> = {};
    for (let k = 0; k < 1 + (i % 3); k++) {
      const key = pick(keys);
      input[key] = pick(values[key]);
    }
    yield input;
  }
}

describe('ListPostsQuery.fromValidQuery (the list query fast path)', () => {
  it('returns exactly what the ValidationPipe returns for every valid query, and declines every query it refuses, whose error is unchanged', async () => {
    let fastTaken = 0;
    let refused = 0;
    for (const input of inputs()) {
      const expected = await outcome(() => reference({ ...input }));
      const fast = ListPostsQuery.fromValidQuery({ ...input });
      const actual = await outcome(() => pipe.transform({ ...input }, meta));
      expect({ input, actual }).toEqual({ input, actual: expected });
      if ('error' in expected) {
        refused++;
        expect({ input, fast }).toEqual({ input, fast: undefined });
      } else if (fast) {
        fastTaken++;
        expect(fast).toBeInstanceOf(ListPostsQuery);
        expect(fast).toStrictEqual(expected.ok);
        expect(Object.keys(fast).sort()).toEqual(Object.keys(expected.ok as object).sort());
      }
    }
    expect(fastTaken).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });

  it('takes the fast path for the queries the list pages and clients send', () => {
    for (const input of [{}, { limit: '50' }, { programmeId: uuid, status: Object.values(EstablishmentStatus)[0], limit: '100' }, { q: 'manager', cursor: 'abc', scope: Scope.InScope }]) {
      const fast = ListPostsQuery.fromValidQuery(input);
      expect(fast).toBeInstanceOf(ListPostsQuery);
    }
    expect(ListPostsQuery.fromValidQuery({ limit: '50' })).toEqual({ limit: 50 });
  });

  it('leaves a refused query to the ValidationPipe: 400 naming the field', async () => {
    const err = await outcome(() => pipe.transform({ limit: '0', q: '' }, meta));
    expect(err).toEqual({ error: expect.objectContaining({ status: 400, details: [expect.objectContaining({ field: 'q' }), expect.objectContaining({ field: 'limit' })] }) });
  });
});
