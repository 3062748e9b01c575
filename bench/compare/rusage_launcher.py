"""Runs one benchmark contender and reports the exact CPU time of all its processes.

usage: rusage_launcher.py REPORT.json COMMAND [ARGS...]

It makes itself a child subreaper, so processes its child leaves behind (a JVM outliving the
python driver) are re-parented here and reaped too: getrusage(RUSAGE_CHILDREN) then covers every
process of the contender (the utime+stime the kernel accounts, children included). SIGTERM and
SIGINT are forwarded to the child. Writes {"user", "sys", "code", "signal"} to REPORT.json.
"""
import ctypes
import json
import os
import resource
import signal
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36


def main():
    report, command = sys.argv[1], sys.argv[2:]
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    child = subprocess.Popen(command)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: child.send_signal(signum))
    code = child.wait()
    # Reap the orphans the child left; the orchestrator kills them by pid if they never end.
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(report, "w") as f:
        json.dump({"user": usage.ru_utime, "sys": usage.ru_stime,
                   "code": code if code >= 0 else None, "signal": -code if code < 0 else None}, f)
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
