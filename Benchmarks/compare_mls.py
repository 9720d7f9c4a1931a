#!/usr/bin/env python3
"""Runs the MLS benchmarks of our engine and the mls-rs anchor in one go and prints the ratio table of
docs/PERFORMANCE.md:

  Benchmarks/compare_mls.py [--sizes 1000,10000] [--repeat 3]

Order: mls-rs with all cores, mls-rs on one thread, then our engine (package-benchmark, release, p50 of its samples),
all on the same machine in the same run. Ratios are ours / mls-rs (below 1.0 is faster than mls-rs).
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OPERATIONS = [
    ("add_commit_ms", "Add {m} members in one commit (N={n})"),
    ("join_ms", "Join from the Welcome (N={n})"),
    ("path_commit_ms", "Create a commit with a path (N={n})"),
    ("process_path_commit_ms", "Process a commit with a path (N={n})"),
]


def anchor(sizes, repeat, threads):
    command = [sys.executable, os.path.join(HERE, "mlsrs_anchor.py"), "--sizes", sizes, "--repeat", str(repeat)]
    if threads:
        command += ["--threads", str(threads)]
    print("running:", " ".join(command), file=sys.stderr)
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def ours(sizes):
    environment = dict(os.environ, MLS_BENCH_SIZES=sizes)
    command = ["swift", "package", "--disable-sandbox", "benchmark", "--target", "MLSBenchmarks", "--no-progress"]
    print("running:", " ".join(command), file=sys.stderr)
    output = subprocess.run(command, cwd=HERE, env=environment, check=True, capture_output=True, text=True).stdout
    results, name = {}, None
    for line in output.splitlines():
        if re.match(r"^(Add|Join|Create|Process|Group state) ", line):
            name = line.strip()
        elif name and "Malloc / free" in line:
            cells = [cell.strip() for cell in line.split("│") if cell.strip()]
            scale = {"(K)": 1e3, "(M)": 1e6, "(G)": 1e9}.get(cells[0].split()[-2], 1.0) if "(" in cells[0] else 1.0
            results[name] = float(cells[3]) * scale  # bytes
            name = None
        elif name and "Time (wall clock)" in line:
            cells = [cell.strip() for cell in line.split("│") if cell.strip()]
            unit = re.search(r"\((ms|s|us|μs|ns)\)", cells[0]).group(1)
            scale = {"s": 1000.0, "ms": 1.0, "us": 0.001, "μs": 0.001, "ns": 1e-6}[unit]
            results[name] = float(cells[3]) * scale  # columns: metric, p0, p25, p50, ...
            name = None
    return results


def sample(results, key, size):
    return results.get("results", {}).get(str(size), {}).get(key)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    all_cores = anchor(arguments.sizes, arguments.repeat, None)
    one_thread = anchor(arguments.sizes, arguments.repeat, 1)
    mine = ours(arguments.sizes)
    print("| operation | N | Kalandra p50 ms | mls-rs 2 cores ms | ratio | mls-rs 1 thread ms | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for size in [int(text) for text in arguments.sizes.split(",")]:
        for key, template in OPERATIONS:
            name = template.format(m=size - 1, n=size)
            value = mine.get(name)
            both = sample(all_cores, key, size)
            single = sample(one_thread, key, size)
            ratio = lambda anchor_ms: f"{value / anchor_ms:.2f}" if value and anchor_ms else "n/a"
            shown = lambda number: f"{number:,.1f}" if number is not None else "n/a"
            print(f"| {name.split(' (N=')[0]} | {size:,} | {shown(value)} | {shown(both)} | {ratio(both)} "
                  f"| {shown(single)} | {ratio(single)} |")
        memory = mine.get(f"Group state memory (N={size})")
        if memory is not None:
            print(f"| Heap kept by one member's group state | {size:,} | {memory / 1e6:,.2f} MB | | | | |")


if __name__ == "__main__":
    main()
