import { Slots } from './delivery.service';

describe('Slots (email sends handed to the transport at once)', () => {
  it('lets `size` holders in, queues the rest in order, and a double release frees one slot only', async () => {
    const slots = new Slots(2);
    const order: string[] = [];
    const a = await slots.acquire();
    const b = await slots.acquire();
    const c = slots.acquire().then((r) => (order.push('c'), r));
    const d = slots.acquire().then((r) => (order.push('d'), r));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    a();
    a(); // idempotent: does not let d in as well
    const releaseC = await c;
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['c']);
    b();
    const releaseD = await d;
    expect(order).toEqual(['c', 'd']);
    releaseC();
    releaseD();
    const e = await slots.acquire(); // two free again: no waiting
    const f = await slots.acquire();
    e();
    f();
  });
});
