/**
 * Coalesces single-key requests made in the same turn of the event loop into one batched call
 * (one SQL round trip instead of one per job). Each caller gets its own result, or the batch's
 * error. The worker runs many deliveries at once, so under load most lookups and "mark sent"
 * updates share a query.
 */
export class Coalescer<K, V> {
  private waiting = new Map<K, { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;

  constructor(
    private readonly run: (keys: K[]) => Promise<Map<K, V>>,
    private readonly maxBatch = 500,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(key);
      if (list) list.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = new Map();
    const keys = [...batch.keys()];
    for (let i = 0; i < keys.length; i += this.maxBatch) {
      const slice = keys.slice(i, i + this.maxBatch);
      try {
        const results = await this.run(slice);
        for (const k of slice) for (const w of batch.get(k)!) w.resolve(results.get(k));
      } catch (err) {
        for (const k of slice) for (const w of batch.get(k)!) w.reject(err);
      }
    }
  }
}
