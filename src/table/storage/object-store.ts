/**
 * The storage a table lives in: a folder on a local disk, or a prefix of an S3 bucket. Keys are
 * '/'-separated paths relative to the table's root. Both stores give the two guarantees the Delta
 * log needs: a put is atomic (a reader sees the whole object or none), and `putIfAbsent` creates a
 * key only when no one else has (link(2) on a disk, `If-None-Match: *` on S3).
 */
export interface ObjectStore {
  /** The table's root as a reader names it: an absolute path or `s3://bucket/prefix`. */
  readonly root: string;
  /** The full name of `key` for a reader such as DuckDB: an absolute path or an `s3://` URL. */
  url(key: string): string;
  /** The object's bytes, or undefined when there is no such key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Writes the object whole, replacing any earlier one. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  /** Writes the object only if the key does not exist yet; throws KeyExistsError otherwise. */
  putIfAbsent(key: string, data: Uint8Array | string): Promise<void>;
  /** Every object whose key starts with `prefix`, in no particular order. */
  list(prefix: string): Promise<StoredObject[]>;
  /** Removes the object; a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/** One listed object. */
export interface StoredObject {
  key: string;
  bytes: number;
  /** Last modification, epoch milliseconds. */
  modifiedMs: number;
}

/** `putIfAbsent` lost: another writer created the key first. */
export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`${key} already exists`);
    this.name = 'KeyExistsError';
  }
}

/** Text of an object as UTF-8, or undefined when it does not exist. */
export async function getText(store: ObjectStore, key: string): Promise<string | undefined> {
  const bytes = await store.get(key);
  return bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
