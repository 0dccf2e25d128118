import { Coalescer } from './coalescer';

describe('Coalescer', () => {
  it('answers every caller of one turn with one batched call', async () => {
    const calls: string[][] = [];
    const c = new Coalescer<string, number>(async (keys) => {
      calls.push(keys);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.length]));
    });
    const results = await Promise.all([c.get('a'), c.get('bb'), c.get('a'), c.get('missing')]);
    expect(results).toEqual([1, 2, 1, undefined]);
    expect(calls).toEqual([['a', 'bb', 'missing']]);
    expect(await c.get('ccc')).toBe(3);
    expect(calls).toHaveLength(2);
  });

  it('gives the batch’s error to each caller and keeps working', async () => {
    let fail = true;
    const c = new Coalescer<string, string>(async (keys) => {
      if (fail) throw new Error('db down');
      return new Map(keys.map((k) => [k, k]));
    });
    await expect(Promise.all([c.get('a'), c.get('b')])).rejects.toThrow('db down');
    fail = false;
    expect(await c.get('a')).toBe('a');
  });

  it('splits big batches', async () => {
    const sizes: number[] = [];
    const c = new Coalescer<number, number>(async (keys) => {
      sizes.push(keys.length);
      return new Map(keys.map((k) => [k, k]));
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((k) => c.get(k)));
    expect(sizes).toEqual([2, 2, 1]);
  });
});
