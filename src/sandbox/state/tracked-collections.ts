/**
 * A Map and a Set that report every key they set, add or delete to a callback, so the state file
 * (src/sandbox/persistence) learns which records to write without each caller remembering to say
 * so. They only report keys: they never look at values and never decide what is saved.
 */
export type KeyListener = (key: string) => void;

export class TrackedMap<V> extends Map<string, V> {
  constructor(private readonly onKey: KeyListener) {
    super();
  }

  override set(key: string, value: V): this {
    super.set(key, value);
    this.onKey(key);
    return this;
  }

  override delete(key: string): boolean {
    const had = super.delete(key);
    if (had) this.onKey(key);
    return had;
  }
}

export class TrackedSet extends Set<string> {
  constructor(private readonly onKey: KeyListener) {
    super();
  }

  override add(key: string): this {
    super.add(key);
    this.onKey(key);
    return this;
  }

  override delete(key: string): boolean {
    const had = super.delete(key);
    if (had) this.onKey(key);
    return had;
  }
}
