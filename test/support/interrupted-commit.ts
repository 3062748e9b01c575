import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { Owner } from '../../src/table/folder/commit-protocol.js';
import { dataFileName, intentPath, type TableLayout } from '../../src/table/folder/layout.js';

/** Every file under `dir`, relative to it, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(relative(dir, path));
    }
  };
  await walk(dir);
  return out.sort();
}

/** The pid of a process that has exited, to stand for an owner killed mid-commit. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

/** An owner on this host whose process has exited. */
export function deadOwner(): Owner {
  const pid = deadPid();
  return { host: hostname(), pid, id: `${hostname()}-${pid}-deadbeef` };
}

/** The final path of data file `seq` of the batch from `from` of partition 0, in `folder` of the table. */
export function finalPath(layout: TableLayout, topic: string, from: string, seq = 0, folder = ''): string {
  return join(layout.table, folder, dataFileName(topic, 0, from, seq));
}

/**
 * Lays down the state a process killed right after creating its intent for partition 0 leaves
 * behind: two staged files (the first already renamed when `renamedFirst`) and the intent.
 */
export async function interruptedCommit(layout: TableLayout, topic: string, owner: Owner, from: string, next: string, renamedFirst: boolean) {
  const stagingDir = join(layout.staging, owner.id);
  await mkdir(stagingDir, { recursive: true });
  const files = [0, 1].map((seq) => ({ staged: join(stagingDir, `${seq}.pending`), final: finalPath(layout, topic, from, seq) }));
  for (const f of files) await writeFile(f.staged, `data ${from} ${f.final}`);
  if (renamedFirst) {
    await mkdir(dirname(files[0]!.final), { recursive: true });
    execFileSync('mv', [files[0]!.staged, files[0]!.final]);
  }
  const base = dirname(layout.table);
  await mkdir(layout.intents, { recursive: true });
  await writeFile(
    intentPath(layout, topic, 0),
    JSON.stringify({
      owner,
      topic,
      partition: 0,
      from,
      next,
      files: files.map((f) => ({ staged: relative(base, f.staged), final: relative(base, f.final) })),
    }),
  );
  return files;
}
