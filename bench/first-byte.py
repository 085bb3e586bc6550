#!/usr/bin/env python3
"""Runs a command and reads its standard output as a pipe would: prints when the first byte came,
when the output ended and how many bytes there were (the phases of `analyze`: reading and
tracking before the first JSON byte, the report after it).

    python3 bench/first-byte.py ./vpnsleuth analyze CAPTURE --format json
"""
import subprocess
import sys
import time

start = time.monotonic()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
first = None
total = 0
while True:
    chunk = proc.stdout.read(1 << 20)
    if not chunk:
        break
    if first is None:
        first = time.monotonic() - start
    total += len(chunk)
rc = proc.wait()
end = time.monotonic() - start
print("first byte %.2f s, end %.2f s, %d bytes, exit %d" % (first if first is not None else -1, end, total, rc))
