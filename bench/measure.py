#!/usr/bin/env python3
"""Runs a command; prints wall seconds, peak RSS (KiB) and exit status.

    measure.py [--stdout FILE] CMD...     stdout to FILE (default /dev/null)
"""
import os, subprocess, sys, time

args = sys.argv[1:]
out = os.devnull
if args[:1] == ["--stdout"]:
    out, args = args[1], args[2:]
start = time.monotonic()
with open(out, "w") as sink:
    proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
elapsed = time.monotonic() - start
code = os.waitstatus_to_exitcode(status)
if code != 0:
    sys.stderr.write(err[-2000:])
print(f"{elapsed:.3f} {usage.ru_maxrss} {code}")
