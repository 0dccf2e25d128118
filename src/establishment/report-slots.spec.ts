import { ConcurrencyLimit } from './report-slots';

describe('ConcurrencyLimit', () => {
  const busy = () => new Error('busy');

  it('grants up to the limit, hands a released slot to the longest waiter, and refuses after the bounded wait', async () => {
    const limit = new ConcurrencyLimit(1, 100, busy);
    const first = await limit.acquire();
    const second = limit.acquire();
    expect(limit.queued).toBe(1);
    first();
    first(); // releasing twice gives back one slot only
    const release2 = await second;
    expect(limit.inUse).toBe(1);
    await expect(limit.acquire()).rejects.toThrow('busy');
    expect(limit.queued).toBe(0);
    release2();
    expect(limit.inUse).toBe(0);
  });

  it('run() gives the slot back when the work fails', async () => {
    const limit = new ConcurrencyLimit(1, 0, busy);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limit.inUse).toBe(0);
    await expect(limit.run(async () => 7)).resolves.toBe(7);
  });
});
