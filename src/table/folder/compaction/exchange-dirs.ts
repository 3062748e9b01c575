import { execFile } from 'node:child_process';
import { UserError } from '../../../user-error.js';

// renameat2(RENAME_EXCHANGE) swaps two directories in one step: a reader listing either path sees
// the old folder or the new one, never a mix. Node has no binding for it, so python3's ctypes calls
// libc's wrapper (glibc >= 2.28, Linux >= 3.15). AT_FDCWD is -100 on Linux.
const EXCHANGE = `
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
try:
    fn = libc.renameat2
except AttributeError:
    print("this C library has no renameat2 (glibc 2.28 or newer is needed)"); sys.exit(3)
fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
if fn(-100, os.fsencode(sys.argv[1]), -100, os.fsencode(sys.argv[2]), 2) != 0:
    e = ctypes.get_errno()
    print("renameat2(RENAME_EXCHANGE) failed: %s (%s)" % (os.strerror(e), errno.errorcode.get(e, e))); sys.exit(4)
`;

/**
 * Swaps directories `a` and `b` atomically. Throws a one-line UserError (and changes nothing) when
 * python3 or the system call is missing: compaction refuses rather than swap in several steps.
 */
export function exchangeDirs(a: string, b: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('python3', ['-c', EXCHANGE, a, b], { timeout: 30_000 }, (err, stdout) => {
      if (!err) return resolve();
      const e = err as NodeJS.ErrnoException & { code?: string | number };
      if (e.code === 'ENOENT') {
        return reject(new UserError('compaction needs python3 (it calls renameat2(RENAME_EXCHANGE) through ctypes; Node has no binding); install python3 — nothing was compacted'));
      }
      const why = stdout.trim() || err.message.split('\n')[0];
      reject(new UserError(`compaction needs an atomic directory swap and cannot have one here: ${why} — nothing was compacted`));
    });
  });
}
