import { readFileSync } from 'node:fs';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gamepipeHome } from '../broker/local-broker.js';
import { UserError } from '../user-error.js';

/** The pid file of a running `gamepipe start`. */
export function startPidFile(): string {
  return join(gamepipeHome(), 'start.pid');
}

function isStartProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A recycled pid belongs to some other program: its command line does not run gamepipe start.
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((a) => a.includes('gamepipe')) && cmdline.includes('start');
  } catch {
    return true;
  }
}

/**
 * Records this process as the running `gamepipe start`, or fails with "already running (pid N)".
 * The file is created exclusively, so two starts at once cannot both win; a dead owner's file is replaced.
 */
export async function acquireStartLock(): Promise<{ release(): Promise<void> }> {
  const file = startPidFile();
  await mkdir(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return {
        release: async () => {
          if ((await readFile(file, 'utf8').catch(() => '')).trim() === String(process.pid)) await unlink(file).catch(() => {});
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isStartProcess(pid)) {
      throw new UserError(`already running (pid ${pid}); stop it with Ctrl-C in its terminal, or kill ${pid}`);
    }
    await unlink(file).catch(() => {});
  }
  throw new UserError(`cannot take the start lock ${file}; remove it if no gamepipe start runs`);
}
