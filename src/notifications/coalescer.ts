/**
 * Coalesces single-key requests into batched calls (one SQL round trip instead of one per
 * job). Requests made in the same turn of the event loop go together; and while `maxInFlight`
 * batches are running, new requests wait and go in the next one (as a database's group
 * commit does), so the busier the worker, the bigger the batches and the fewer the queries.
 * Each caller gets its own result, or its batch's error.
 */
export class Coalescer<K, V> {
  private waiting = new Map<K, { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly run: (keys: K[]) => Promise<Map<K, V>>,
    private readonly maxBatch = 500,
    private readonly maxInFlight = 1,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(key);
      if (list) list.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || !this.waiting.size) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.maxInFlight && this.waiting.size) void this.flush();
    });
  }

  /** Runs one batch of up to maxBatch keys; when it ends, the next batch (if any) is scheduled. */
  private async flush(): Promise<void> {
    const batch = new Map<K, { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[]>();
    for (const [k, w] of this.waiting) {
      if (batch.size >= this.maxBatch) break;
      batch.set(k, w);
    }
    for (const k of batch.keys()) this.waiting.delete(k);
    this.inFlight++;
    try {
      const results = await this.run([...batch.keys()]);
      for (const [k, ws] of batch) for (const w of ws) w.resolve(results.get(k));
    } catch (err) {
      for (const ws of batch.values()) for (const w of ws) w.reject(err);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}
