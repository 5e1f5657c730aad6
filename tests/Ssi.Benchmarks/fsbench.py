#!/usr/bin/env python3
"""One target of the filesystem benchmark: runs the rows in DIR and prints one JSON object.
Run as root (drops the page cache for the uncached rows). Usage: fsbench.py DIR [--quick]"""
import json
import os
import statistics
import subprocess
import sys
import time

DIR = sys.argv[1]
QUICK = "--quick" in sys.argv
# --warmup: a short pass over every path, measuring nothing (the agents compile their code paths on
# first use; ext4 and sshfs are native code and need none of it).
WARMUP = "--warmup" in sys.argv
SEQ_MB = 32 if WARMUP else 256 if QUICK else 1024
FILES = 300 if WARMUP else 2000 if QUICK else 10000
SMALL = 200 if WARMUP else 500 if QUICK else 2000
LAT = 100 if WARMUP else 300 if QUICK else 1000


def drop_caches():
    if WARMUP:
        return
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


FIO_MB = 64 if QUICK else 256


def fio_file():
    # Laid out here with 1 MiB writes: fio's own 4 KiB layout takes minutes over sshfs.
    path = os.path.join(DIR, "fio.dat")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    block = os.urandom(1 << 20)
    for _ in range(FIO_MB):
        os.write(fd, block)
    os.fsync(fd)
    os.close(fd)
    return path


def fio(name, direct):
    path = os.path.join(DIR, "fio.dat")
    cmd = ["fio", "--name=" + name, "--filename=" + path, "--rw=randread", "--bs=4k", "--iodepth=1",
           "--ioengine=psync", "--size=%dM" % FIO_MB, "--runtime=5", "--time_based", "--direct=%d" % direct,
           "--output-format=json"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return None
    return round(json.loads(r.stdout)["jobs"][0]["read"]["iops"])


results = {}
os.makedirs(DIR, exist_ok=True)
chunk = b"\xab" * (1 << 20)
big = os.path.join(DIR, "seq.dat")


def seq_write():
    fd = os.open(big, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    for _ in range(SEQ_MB):
        os.write(fd, chunk)
    os.fsync(fd)
    os.close(fd)


results["seq_write_mibs"] = round(SEQ_MB / timed(seq_write))
drop_caches()


def seq_read():
    fd = os.open(big, os.O_RDONLY)
    while os.read(fd, 1 << 20):
        pass
    os.close(fd)


results["seq_read_mibs"] = round(SEQ_MB / timed(seq_read))
os.unlink(big)

if not WARMUP:
    fio_file()
    results["rand4k_buffered_iops"] = fio("buffered", 0)
    results["rand4k_direct_iops"] = fio("direct", 1)
try:
    os.unlink(os.path.join(DIR, "fio.dat"))
except OSError:
    pass

meta = os.path.join(DIR, "meta")
os.makedirs(meta, exist_ok=True)
names = [os.path.join(meta, "f%05d" % i) for i in range(FILES)]


def create():
    for n in names:
        os.close(os.open(n, os.O_WRONLY | os.O_CREAT, 0o644))


def stat_all():
    for n in names:
        os.stat(n)


def unlink_all():
    for n in names:
        os.unlink(n)


results["create_per_s"] = round(FILES / timed(create))
results["stat_per_s"] = round(FILES / timed(stat_all))
results["ls_l_s"] = round(timed(lambda: subprocess.run(["ls", "-l", meta], stdout=subprocess.DEVNULL, check=True)), 3)
results["unlink_per_s"] = round(FILES / timed(unlink_all))

small = os.path.join(DIR, "small")
os.makedirs(small, exist_ok=True)
payload = os.urandom(4096)
smalls = [os.path.join(small, "s%04d" % i) for i in range(SMALL)]


def write_small():
    for n in smalls:
        with open(n, "wb") as f:
            f.write(payload)


def read_small():
    for n in smalls:
        with open(n, "rb") as f:
            f.read()


results["small_write_files_s"] = round(SMALL / timed(write_small))
drop_caches()
results["small_read_files_s"] = round(SMALL / timed(read_small))

one = smalls[0]


def latencies(fn, count, uncached=False):
    samples = []
    for i in range(count):
        if uncached:
            drop_caches()
        t = time.perf_counter_ns()
        fn(i)
        samples.append((time.perf_counter_ns() - t) / 1000)
    samples.sort()
    return round(statistics.median(samples), 1), round(samples[int(len(samples) * 0.99) - 1], 1)


def open_read_close(_):
    fd = os.open(one, os.O_RDONLY)
    os.read(fd, 4096)
    os.close(fd)


def missing(i):
    # A new name each time, in the directory above DIR (which this node did not make): on a forwarding
    # node this is one round trip to the home, nothing answered from a cache.
    try:
        os.stat(os.path.join(os.path.dirname(DIR), "missing-%d-%d" % (os.getpid(), i)))
    except FileNotFoundError:
        pass


results["lookup_missing_us"] = latencies(missing, LAT)
results["stat_warm_us"] = latencies(lambda _: os.stat(one), LAT)
results["stat_uncached_us"] = latencies(lambda i: os.stat(smalls[i % SMALL]), 10 if WARMUP else 50 if QUICK else 100, uncached=True)
results["open_read_close_warm_us"] = latencies(open_read_close, LAT)
results["open_read_close_uncached_us"] = latencies(open_read_close, 10 if WARMUP else 50 if QUICK else 100, uncached=True)
for n in smalls:
    os.unlink(n)
if WARMUP:
    os.rmdir(small)
    os.rmdir(meta)
    os.rmdir(DIR)
    results = {}
print(json.dumps(results))
