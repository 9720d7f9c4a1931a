#!/usr/bin/env python3
"""The mls-rs anchor for the MLS benchmarks: the same group operations, timed in mls-rs (suite 1) through the wheel
agentvault-mls-rs-uniffi==0.1.1 (scripts/bootstrap installs it), so our figures have a reference measured on the
same machine in the same run.

  mlsrs_anchor.py [--sizes 1000,10000] [--repeat 3] [--threads T] [--tree-out-of-band]

mls-rs parallelises commit creation, joining and adds over all cores (rayon); `--threads 1` (RAYON_NUM_THREADS)
makes it single-threaded, the fair anchor for a single-threaded engine.

Per group size N (median wall time of --repeat samples, milliseconds; the Python call overhead is microseconds):
  add_commit_ms           create one commit adding N-1 members by value (their KeyPackages made beforehand)
  join_ms                 one new member joins from that Welcome (each sample a different member)
  path_commit_ms          create an empty commit with a path in the fresh group (every parent node blank, so the
                          path secrets are encrypted to about N-1 leaves); the committer is a joined member
  process_path_commit_ms  another joined member processes that commit
cpu_median_ms gives the same medians in process CPU time (above wall time where mls-rs uses several threads).
Each path-commit sample starts from the same fresh state, reloaded from mls-rs's own storage (untimed), as does
the processing member. Progress goes to stderr; stdout is one JSON object.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time
from importlib import metadata

import mls_rs_uniffi as m

SUITE = m.CipherSuite.CURVE25519_AES128
WHEEL = "agentvault-mls-rs-uniffi"


class Store(m.GroupStateStorage):
    """In-memory group storage that Python can reach: lets a member reload the same state for every sample."""

    def __init__(self):
        self.states, self.epochs = {}, {}

    def state(self, group_id):
        return self.states.get(bytes(group_id))

    def epoch(self, group_id, epoch_id):
        return self.epochs.get((bytes(group_id), epoch_id))

    def write(self, group_id, state, epoch_inserts, epoch_updates):
        self.states[bytes(group_id)] = bytes(state)
        for record in list(epoch_inserts) + list(epoch_updates):
            self.epochs[(bytes(group_id), record.id)] = bytes(record.data)

    def max_epoch_id(self, group_id):
        ids = [epoch for (known, epoch) in self.epochs if known == bytes(group_id)]
        return max(ids) if ids else None


def new_client(identity, tree_in_welcome=True):
    config = m.ClientConfig(group_state_storage=Store(), use_ratchet_tree_extension=tree_in_welcome)
    return m.Client(identity, m.generate_signature_keypair(SUITE), config)


def timed(operation, cpu=None):
    """Runs `operation`; returns its result and wall milliseconds, appending this process's CPU milliseconds (all
    threads: mls-rs parallelises some work) to `cpu` if given."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = operation()
    if cpu is not None:
        cpu.append((time.process_time() - start_cpu) * 1000)
    return result, (time.perf_counter() - start) * 1000


def log(text):
    print(f"mlsrs_anchor: {text}", file=sys.stderr, flush=True)


def mls_rs_version():
    """mls-rs's version from the SBOM the wheel ships (the wheel's own version is its fork's)."""
    try:
        for file in metadata.files(WHEEL) or []:
            if file.name.endswith(".cyclonedx.json"):
                with open(file.locate()) as handle:
                    components = json.load(handle).get("components", [])
                return next((c["version"] for c in components if c.get("name") == "mls-rs"), None)
    except (OSError, ValueError):
        pass
    return None


def measure(size, repeat, tree_in_welcome):
    samples = {"add_commit_ms": [], "join_ms": [], "path_commit_ms": [], "process_path_commit_ms": []}
    cpu = {name: [] for name in samples}
    creator = new_client(b"creator", tree_in_welcome)
    members = [new_client(b"member-%d" % index) for index in range(size - 1)]
    key_packages, keygen_ms = timed(lambda: [member.generate_key_package_message() for member in members])
    log(f"N={size}: {size - 1} KeyPackages in {keygen_ms:.0f} ms (not counted)")

    # (a) one commit adding N-1 members; each sample in a new group (mls-rs allows one pending commit per group)
    for sample in range(repeat):
        group = creator.create_group(b"anchor-%d-%d" % (size, sample))
        output, elapsed = timed(lambda: group.add_members(key_packages), cpu["add_commit_ms"])
        samples["add_commit_ms"].append(elapsed)
        log(f"N={size}: add commit {elapsed:.1f} ms")
    group.process_incoming_message(output.commit_message)
    group_id = b"anchor-%d-%d" % (size, repeat - 1)
    tree = output.ratchet_tree  # None when the tree is inside the Welcome

    # (b) join from the Welcome: a different member per sample; the first two stay for (c) and (d)
    joined = []
    for index in range(max(repeat, 2)):
        result, elapsed = timed(lambda: members[index].join_group(tree, output.welcome_message),
                                cpu["join_ms"] if index < repeat else None)
        result.group.write_to_storage()
        joined.append(members[index])
        if index < repeat:
            samples["join_ms"].append(elapsed)
        log(f"N={size}: join {elapsed:.1f} ms")
    committer, processor = joined[0], joined[1]

    # (c) and (d) from the same fresh state each time
    for _ in range(repeat):
        committing = committer.load_group(group_id)
        commit, elapsed = timed(lambda: committing.commit(), cpu["path_commit_ms"])
        samples["path_commit_ms"].append(elapsed)
        processing = processor.load_group(group_id)
        received, elapsed_process = timed(lambda: processing.process_incoming_message(commit.commit_message),
                                           cpu["process_path_commit_ms"])
        samples["process_path_commit_ms"].append(elapsed_process)
        if not (received.is_commit() and received.effect.is_new_epoch()):
            raise RuntimeError(f"the processing member did not advance: {received}")
        log(f"N={size}: path commit {elapsed:.1f} ms, processed in {elapsed_process:.1f} ms")

    # Sanity: committer and processor agree on the new epoch.
    committing.process_incoming_message(commit.commit_message)
    if committing.export_secret(b"anchor", b"", 32) != processing.export_secret(b"anchor", b"", 32):
        raise RuntimeError("exporter secrets differ after the path commit")

    return {**{name: round(statistics.median(values), 2) for name, values in samples.items()},
            "samples_ms": {name: [round(value, 2) for value in values] for name, values in samples.items()},
            "cpu_median_ms": {name: round(statistics.median(values), 2) for name, values in cpu.items()},
            "bytes": {"add_commit": len(output.commit_message.to_bytes()),
                      "welcome": len(output.welcome_message.to_bytes()),
                      "path_commit": len(commit.commit_message.to_bytes())},
            "key_package_each_ms": round(keygen_ms / (size - 1), 3)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated group sizes N (each >= 3)")
    parser.add_argument("--repeat", type=int, default=3, help="samples per operation (median reported)")
    parser.add_argument("--threads", type=int, default=None,
                        help="mls-rs worker threads (RAYON_NUM_THREADS; default: one per core)")
    parser.add_argument("--tree-out-of-band", action="store_true",
                        help="leave the ratchet tree out of the Welcome and pass it to the joiner separately")
    arguments = parser.parse_args()
    try:
        sizes = [int(size) for size in arguments.sizes.split(",")]
    except ValueError:
        parser.error("--sizes takes integers, e.g. 1000,10000")
    if any(size < 3 for size in sizes) or arguments.repeat < 1:
        parser.error("every size must be >= 3 (creator, committer, processor) and --repeat >= 1")
    if arguments.threads is not None:
        if arguments.threads < 1:
            parser.error("--threads must be >= 1")
        # Read when mls-rs first uses its thread pool, which is after this point.
        os.environ["RAYON_NUM_THREADS"] = str(arguments.threads)

    report = {"implementation": "mls-rs", "mls_rs_version": mls_rs_version(), "wheel": WHEEL,
              "wheel_version": metadata.version(WHEEL), "python": platform.python_version(),
              "cipher_suite": 1, "repeat": arguments.repeat,
              "ratchet_tree": "out_of_band" if arguments.tree_out_of_band else "in_welcome",
              "cpus": os.cpu_count(), "threads": os.environ.get("RAYON_NUM_THREADS", "one per core"),
              "results": {}}
    for size in sizes:
        report["results"][str(size)] = measure(size, arguments.repeat, not arguments.tree_out_of_band)
    # One line per size keeps the sample lists readable; the whole is still one JSON object.
    results = report.pop("results")
    sizes_text = ",\n".join(f"  {json.dumps(size)}: {json.dumps(result)}" for size, result in results.items())
    print(json.dumps(report)[:-1] + ', "results": {\n' + sizes_text + "\n}}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
