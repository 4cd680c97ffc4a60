#!/usr/bin/env python3
"""Runs a command with stdout to /dev/null; prints wall seconds and peak RSS (KiB)."""
import os, subprocess, sys, time

start = time.monotonic()
with open(os.devnull, "w") as null:
    proc = subprocess.Popen(sys.argv[1:], stdout=null, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode(errors="replace")
elapsed = time.monotonic() - start
code = os.waitstatus_to_exitcode(status)
if code != 0:
    sys.stderr.write(err[-2000:])
print(f"{elapsed:.3f} {usage.ru_maxrss} {code}")
