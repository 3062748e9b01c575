import { link, readdir, readFile, rename, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve, sep } from 'node:path';
import { fsyncDir, unlinkIfExists, writeSynced } from './durable-fs.js';
import { KeyExistsError, type ObjectStore, type StoredObject } from './object-store.js';

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException).code === code;
}

/**
 * A table root on a local (or shared POSIX) disk. Every write goes to a temporary file that is
 * fsynced first and then renamed (put) or hard-linked (putIfAbsent) into place, so a crash never
 * leaves a partial object under its real name.
 */
export class LocalStore implements ObjectStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  url(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.url(key));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    const path = this.url(key);
    const tmp = this.tempName(path);
    await writeSynced(tmp, data);
    await rename(tmp, path);
    await fsyncDir(dirname(path));
  }

  async putIfAbsent(key: string, data: Uint8Array | string): Promise<void> {
    const path = this.url(key);
    const tmp = this.tempName(path);
    await writeSynced(tmp, data);
    try {
      // link(2) fails with EEXIST when the name is taken: the disk's own compare-and-set.
      await link(tmp, path);
      await fsyncDir(dirname(path));
    } catch (err) {
      if (isErrno(err, 'EEXIST')) throw new KeyExistsError(key);
      throw err;
    } finally {
      await unlinkIfExists(tmp);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    // List from the deepest folder the prefix names, then keep the keys that start with it.
    const slash = prefix.lastIndexOf('/');
    const folder = slash < 0 ? '' : prefix.slice(0, slash);
    const base = this.url(folder);
    let names: string[];
    try {
      names = await readdir(base, { recursive: true });
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return [];
      throw err;
    }
    const objects: StoredObject[] = [];
    for (const name of names) {
      const key = (folder ? `${folder}/` : '') + name.split(sep).join('/');
      if (!key.startsWith(prefix) || key.endsWith('.tmp')) continue;
      const info = await stat(join(base, name)).catch(() => undefined);
      if (info?.isFile()) objects.push({ key, bytes: info.size, modifiedMs: info.mtimeMs });
    }
    return objects;
  }

  async delete(key: string): Promise<void> {
    await unlinkIfExists(this.url(key));
  }

  private tempName(path: string): string {
    return `${path}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
  }
}
