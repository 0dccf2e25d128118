import { deliveryJobs, EMAIL_BATCH_ROWS, JobName } from '../queue/queue.contract';
import { SentMarks } from './delivery.service';

describe('SentMarks (the "mark sent" of batch jobs)', () => {
  afterEach(() => jest.useRealTimers());

  it('writes one statement when maxRows rows have gathered, without waiting for the timer', async () => {
    const writes: string[][] = [];
    const marks = new SentMarks(async (ids) => (writes.push(ids), new Map(ids.map((id) => [id, new Date(0)]))), 3, 10_000);
    const done = ['a', 'b', 'c'].map((id) => marks.add(id));
    expect(await Promise.all(done)).toEqual([new Date(0), new Date(0), new Date(0)]);
    expect(writes).toEqual([['a', 'b', 'c']]);
  });

  it('writes what has gathered maxMs after the first row, and tells a row another attempt marked first (undefined)', async () => {
    jest.useFakeTimers();
    const writes: string[][] = [];
    const marks = new SentMarks(async (ids) => (writes.push(ids), new Map([['a', new Date(1)]])), 100, 50);
    const a = marks.add('a');
    const b = marks.add('b');
    await jest.advanceTimersByTimeAsync(49);
    expect(writes).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(writes).toEqual([['a', 'b']]);
    expect(await a).toEqual(new Date(1));
    expect(await b).toBeUndefined();
  });

  it('retries a statement that failed for a transient reason (PostgreSQL restarting) instead of failing the rows', async () => {
    let calls = 0;
    const marks = new SentMarks(async (ids) => {
      if (++calls === 1) throw Object.assign(new Error('the database system is shutting down'), { code: '57P01' });
      return new Map(ids.map((id) => [id, new Date(2)]));
    }, 1, 10);
    expect(await marks.add('a')).toEqual(new Date(2));
    expect(calls).toBe(2);
  });

  it('rejects the rows of a statement that failed for good', async () => {
    const marks = new SentMarks(() => Promise.reject(new Error('syntax error')), 1, 10);
    await expect(marks.add('a')).rejects.toThrow('syntax error');
  });
});

describe('deliveryJobs (what the relay and the sweeper enqueue)', () => {
  const rows = (n: number, channel: 'email' | 'webhook' | 'in_app', from = 0) =>
    Array.from({ length: n }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(from + i).padStart(12, '0')}`, channel }));

  it('puts email rows in batch jobs of up to EMAIL_BATCH_ROWS, in order, and every other row in a job of its own under its id', () => {
    const emails = rows(EMAIL_BATCH_ROWS + 1, 'email');
    const jobs = deliveryJobs([...emails, ...rows(1, 'webhook', 500), ...rows(1, 'in_app', 600)]);
    const batches = jobs.filter((j) => j.item.name === JobName.DeliverEmailBatch);
    expect(batches.map((b) => b.rowIds.length)).toEqual([EMAIL_BATCH_ROWS, 1]);
    expect(batches.flatMap((b) => b.rowIds)).toEqual(emails.map((e) => e.id));
    expect(batches[0].item.data).toEqual({ notificationIds: batches[0].rowIds });
    const singles = jobs.filter((j) => j.item.name !== JobName.DeliverEmailBatch);
    expect(singles.map((j) => [j.item.name, j.jobId])).toEqual([
      [JobName.DeliverWebhook, rows(1, 'webhook', 500)[0].id],
      [JobName.DeliverInApp, rows(1, 'in_app', 600)[0].id],
    ]);
  });

  it('gives the same rows the same job id (enqueued again: a no-op while BullMQ holds the job), other rows another', () => {
    const [a] = deliveryJobs(rows(3, 'email'));
    const [b] = deliveryJobs(rows(3, 'email'));
    const [c] = deliveryJobs(rows(3, 'email', 1));
    expect(a.jobId).toBe(b.jobId);
    expect(a.jobId).not.toBe(c.jobId);
    expect(a.jobId).toMatch(/^emails-[0-9a-f]{40}$/);
  });

  it('puts email rows that name their batch job back under that id, whatever else they are read with (the sweeper, the backlog after Redis is back)', () => {
    const first = deliveryJobs(rows(3, 'email'))[0];
    const second = deliveryJobs(rows(2, 'email', 3))[0];
    // Read back in another order and mixed with a row that names no batch job (an admin's retry names its own id).
    const read = [...rows(2, 'email', 3).map((r) => ({ ...r, job_id: second.jobId })), { ...rows(1, 'email', 9)[0], job_id: rows(1, 'email', 9)[0].id }, ...rows(3, 'email').map((r) => ({ ...r, job_id: first.jobId }))];
    const jobs = deliveryJobs(read);
    expect(jobs.map((j) => [j.jobId, j.rowIds])).toEqual([
      [second.jobId, second.rowIds],
      [first.jobId, first.rowIds],
      [deliveryJobs(rows(1, 'email', 9))[0].jobId, [rows(1, 'email', 9)[0].id]],
    ]);
  });
});
