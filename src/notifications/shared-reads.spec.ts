import type { EntityManager } from 'typeorm';
import { sharedReads } from './outbox-relay.service';

describe("sharedReads (a relay batch's fan-out reads)", () => {
  function manager(answer: (sql: string) => Promise<unknown>) {
    const query = jest.fn((sql: string, _params?: unknown[]) => answer(sql));
    return { query, other: jest.fn(() => 'the manager itself') } as unknown as EntityManager & { query: jest.Mock; other: jest.Mock };
  }

  it('asks PostgreSQL once for the same query and parameters, in flight or done, and gives each caller an array of its own', async () => {
    const m = manager(async () => [{ id: 'u1' }]);
    const reads = sharedReads(m);
    const [a, b] = await Promise.all([reads.query('SELECT 1', ['p']), reads.query('SELECT 1', ['p'])]);
    const c = await reads.query('SELECT 1', ['p']);
    expect(m.query).toHaveBeenCalledTimes(1);
    expect(a).toEqual([{ id: 'u1' }]);
    (a as unknown[]).push({ id: 'added by one caller' });
    expect(b).toEqual([{ id: 'u1' }]);
    expect(c).toEqual([{ id: 'u1' }]);
  });

  it('asks again for other parameters, and after a failure', async () => {
    let fail = true;
    const m = manager(async () => {
      if (fail) throw new Error('connection terminated');
      return [];
    });
    const reads = sharedReads(m);
    await expect(reads.query('SELECT 1', ['p'])).rejects.toThrow('connection terminated');
    fail = false;
    await expect(reads.query('SELECT 1', ['p'])).resolves.toEqual([]);
    await reads.query('SELECT 1', ['q']);
    expect(m.query).toHaveBeenCalledTimes(3);
  });

  it('leaves everything but query to the manager', () => {
    const m = manager(async () => []);
    expect((sharedReads(m) as unknown as { other(): string }).other()).toBe('the manager itself');
  });
});
