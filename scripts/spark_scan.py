#!/usr/bin/env python3
"""Screen JSON-lines input with netra as the mapper of an Apache Spark job (DESIGN.md §7).

    spark-submit scripts/spark_scan.py --netra BIN --lexicons DIR INPUT OUTPUT
    python3 scripts/spark_scan.py --master 'local[2]' --netra BIN --lexicons DIR INPUT OUTPUT

INPUT is a JSON-lines file or folder (anything SparkContext.textFile reads); OUTPUT is a new
folder of NDJSON part files (saveAsTextFile), one `netra scan --format ndjson` line per flagged
record (per record with --all). The netra binary and the lexicon folder are shipped to every
executor with SparkContext.addFile, and each partition is piped through

    netra scan --format ndjson --threads 1 --lexicons …/Lexicons [--contest …] [--all] -

with RDD.pipe. Exit codes of netra are per partition: 0 (something flagged) and 1 (nothing
flagged) are success; 2 (error) and 3 (skipped input) fail the task and so the job (after Spark's
retries), with netra's messages in the executor's standard error. RDD.pipe's checkCode fails on
any non-zero code, so the command is a small `sh -c` wrapper that turns 1 into 0 and keeps 2 and 3.

Provenance: a partition arrives on netra's standard input, so `source` is `{"path":"-","line":N}`
with N counted within the partition; compare or merge Spark output by `id` (`netra merge --sort id`).

Before the job, the driver runs `netra scan --lexicon-version` and prints the fingerprint; every
output line carries it as `lexicon_version` (`netra merge --expect-lexicon-version` checks it).
"""
import argparse
import os
import shlex
import subprocess
import sys
import time


def parse_arguments(argv):
    p = argparse.ArgumentParser(description="Screen JSON lines with netra under Spark (RDD.pipe).")
    p.add_argument("--netra", required=True, help="the netra executable to ship (a --static-swift-stdlib build for a cluster)")
    p.add_argument("--lexicons", required=True, help="the Lexicons folder to ship")
    p.add_argument("--contest", action="append", default=[], help="a bundled contest id (repeatable), as for netra scan")
    p.add_argument("--all", action="store_true", help="emit every record, flagged or not")
    p.add_argument("--master", default=None, help="Spark master (default: spark-submit's, else local[*])")
    p.add_argument("--partitions", type=int, default=None, help="minimum number of input partitions")
    p.add_argument("input")
    p.add_argument("output")
    return p.parse_args(argv)


# The wrapper RDD.pipe runs: netra's 0 and 1 are success; anything else is the task's failure.
WRAPPER = 'netra="$1"; shift; "$netra" "$@"; s=$?; if [ "$s" -le 1 ]; then exit 0; fi; ' \
          'echo "netra: partition failed with exit status $s" >&2; exit "$s"'


def main(argv):
    args = parse_arguments(argv)
    netra = os.path.abspath(args.netra)
    lexicons = os.path.abspath(args.lexicons).rstrip("/")
    if not os.access(netra, os.X_OK):
        print(f"spark_scan: {args.netra}: not an executable", file=sys.stderr)
        return 2
    if not os.path.isdir(os.path.join(lexicons, "rules")):
        print(f"spark_scan: {args.lexicons}: not a Lexicons folder (no rules/)", file=sys.stderr)
        return 2
    contest_args = [a for c in args.contest for a in ("--contest", c)]
    check = subprocess.run([netra, "scan", "--lexicon-version", "--lexicons", lexicons] + contest_args,
                           capture_output=True, text=True)
    if check.returncode != 0:
        sys.stderr.write(check.stderr)
        print("spark_scan: netra cannot load the lexicons", file=sys.stderr)
        return 2
    version = check.stdout.strip()
    print(f"spark_scan: lexicon_version {version}", file=sys.stderr)

    # Spark's Python workers run PYSPARK_PYTHON (default: python3 on PATH); this interpreter is
    # the one that has pyspark (it may be a virtual environment).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark import SparkConf, SparkContext, SparkFiles

    conf = SparkConf().setAppName("netra-scan")
    if args.master:
        conf = conf.setMaster(args.master)
    elif not conf.contains("spark.master"):
        conf = conf.setMaster("local[*]")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    try:
        sc.addFile(netra)
        sc.addFile(lexicons, recursive=True)
        # Where executors find shipped files: their working directory on a cluster (SparkEnv uses
        # "." for executors), the driver's temporary SparkFiles folder in local mode.
        root = SparkFiles.getRootDirectory() if sc.master.startswith("local") else "."
        binary = os.path.join(root, os.path.basename(netra))
        shipped_lexicons = os.path.join(root, os.path.basename(lexicons))
        command = ["/bin/sh", "-c", WRAPPER, "netra-wrapper", binary, "scan", "--format", "ndjson", "--threads", "1",
                   "--lexicons", shipped_lexicons] + contest_args + (["--all"] if args.all else []) + ["-"]
        started = time.monotonic()
        lines = sc.textFile(args.input, minPartitions=args.partitions) if args.partitions else sc.textFile(args.input)
        # addFile does not keep the executable bit on every file system: restore it once per
        # partition (cheap), then pipe the partition through netra.
        def ensure_executable(iterator):
            path = os.path.join(SparkFiles.getRootDirectory(), os.path.basename(netra))
            if os.path.exists(path) and not os.access(path, os.X_OK):
                os.chmod(path, 0o755)
            return iterator
        # RDD.pipe starts the command with exactly `env` as its environment.
        env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}
        flagged = lines.mapPartitions(ensure_executable).pipe(shlex.join(command), env=env, checkCode=True)
        try:
            flagged.saveAsTextFile(args.output)
        except Exception as error:  # Py4JJavaError from the JVM: a task failed after its retries
            summary = str(error).split("\n")[0]
            print(f"spark_scan: the job failed (a partition's netra exited 2 or 3; see the executor's "
                  f"messages above): {summary}", file=sys.stderr)
            return 2
        elapsed = time.monotonic() - started
        print(f"spark_scan: {lines.getNumPartitions()} partitions screened in {elapsed:.2f} s; output in {args.output}",
              file=sys.stderr)
    finally:
        sc.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
