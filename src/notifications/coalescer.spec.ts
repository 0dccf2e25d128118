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

describe('Coalescer while a batch is running', () => {
  it('holds new requests until it ends, then sends them together in one batch', async () => {
    const calls: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = new Coalescer<number, number>(async (keys) => {
      calls.push(keys);
      if (calls.length === 1) await gate;
      return new Map(keys.map((k) => [k, k * 10]));
    });
    const first = c.get(1);
    await new Promise((r) => setImmediate(r)); // the first batch is running
    const later: Promise<number | undefined>[] = [];
    for (const k of [2, 3, 4]) {
      later.push(c.get(k));
      await new Promise((r) => setImmediate(r)); // in different turns of the event loop
    }
    expect(calls).toEqual([[1]]);
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(calls).toEqual([[1], [2, 3, 4]]);
  });

  it('runs up to maxInFlight batches at once', async () => {
    let running = 0;
    let most = 0;
    const c = new Coalescer<number, number>(
      async (keys) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return new Map(keys.map((k) => [k, k]));
      },
      1,
      2,
    );
    expect(await Promise.all([1, 2, 3, 4, 5].map((k) => c.get(k)))).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });
});
