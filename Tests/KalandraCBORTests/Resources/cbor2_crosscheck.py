#!/usr/bin/env python3
"""Cross-checks KalandraCBOR against cbor2, with an RFC 8949 deterministic encoder built on cbor2.

cbor2's canonical=True sorts map keys length-first (RFC 7049 §3.9), not bytewise as RFC 8949 §4.2.1 requires,
so this script encodes only scalars with cbor2 and writes array, map and tag headers itself, sorting map entries
by the bytes of their encoded keys.

Usage:
  cbor2_crosscheck.py verify FILE               FILE holds hex lines of deterministic encodings (from Swift);
                                                each is decoded with cbor2.loads, re-encoded here and must match.
  cbor2_crosscheck.py generate SEED COUNT FILE  writes COUNT hex lines of deterministic encodings of random
                                                values (for Swift to decode and re-encode).
Exit status: 0 success, 1 mismatches, 2 usage error, 3 cbor2 missing.
"""
import math
import random
import struct
import sys

try:
    import cbor2
except ImportError:
    print("cbor2 is not installed for " + sys.executable + ": run `python3 -m pip install cbor2`", file=sys.stderr)
    sys.exit(3)


def header(major, argument):
    """The initial byte and shortest argument for a major type (RFC 8949 §3 and §4.2.1)."""
    if argument < 24:
        return bytes([major << 5 | argument])
    for additional, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * width):
            return bytes([major << 5 | additional]) + argument.to_bytes(width, "big")
    raise ValueError("argument too large: %d" % argument)


def deterministic(value):
    """The RFC 8949 §4.2.1 deterministic encoding of a value as cbor2 represents it."""
    if value is None or isinstance(value, (bool, cbor2.CBORSimpleValue)) or value is cbor2.undefined:
        return cbor2.dumps(value, canonical=True)
    if isinstance(value, int):
        if not -(1 << 64) <= value < 1 << 64:
            raise ValueError("integer outside the 64-bit argument range: %d" % value)
        return cbor2.dumps(value, canonical=True)
    if isinstance(value, float):
        # cbor2's canonical floats are the shortest exact width, and NaN is f97e00.
        return cbor2.dumps(value, canonical=True)
    if isinstance(value, (bytes, bytearray, str)):
        return cbor2.dumps(value if isinstance(value, str) else bytes(value), canonical=True)
    if isinstance(value, (list, tuple)):
        return header(4, len(value)) + b"".join(deterministic(element) for element in value)
    if isinstance(value, (dict, cbor2.frozendict)):
        entries = sorted((deterministic(key), deterministic(item)) for key, item in value.items())
        return header(5, len(entries)) + b"".join(key + item for key, item in entries)
    if isinstance(value, cbor2.CBORTag):
        return header(6, value.tag) + deterministic(value.value)
    raise TypeError("cannot encode %r" % type(value))


def verify(path):
    with open(path) as lines:
        encodings = [line.strip() for line in lines if line.strip()]
    mismatches = []
    for number, line in enumerate(encodings, 1):
        try:
            again = deterministic(cbor2.loads(bytes.fromhex(line))).hex()
        except Exception as error:  # any failure to decode or re-encode is a mismatch to report
            again = "error: %s" % error
        if again != line:
            mismatches.append("line %d: swift %s\n         cbor2 %s" % (number, line, again))
    for mismatch in mismatches[:20]:
        print(mismatch)
    print("verified %d encodings, %d mismatches" % (len(encodings), len(mismatches)))
    return 1 if mismatches or not encodings else 0


TEXT_PIECES = ["a", "Z", "é", "e\u0301", "水", "𐅑", "😀", " ", '"', "\\", "\u0000", "ß"]
FLOATS = [0.0, -0.0, 1.5, -4.1, 65504.0, 65505.0, 100000.0, 1e300, -1e-300, 5.960464477539063e-08,
          3.4028234663852886e38, math.inf, -math.inf, math.nan, 1.1]
TAGS = [6, 7, 24, 32, 1000, 65535, 65536, 1 << 32, (1 << 64) - 1]


def random_int(rng):
    bits = rng.choice([4, 8, 16, 32, 64])
    if rng.random() < 0.1:
        magnitude = rng.choice([(1 << 64) - 1, 0, 23, 24, 255, 256, 65535, 65536, (1 << 32) - 1, 1 << 32])
    else:
        magnitude = rng.getrandbits(bits)
    return magnitude if rng.random() < 0.5 else -magnitude - (1 if rng.random() < 0.1 else 0)


def random_float(rng):
    choice = rng.randrange(4)
    if choice == 0:
        return rng.choice(FLOATS)
    if choice == 1:
        return struct.unpack(">e", rng.getrandbits(16).to_bytes(2, "big"))[0]
    if choice == 2:
        return struct.unpack(">f", rng.getrandbits(32).to_bytes(4, "big"))[0]
    return struct.unpack(">d", rng.getrandbits(64).to_bytes(8, "big"))[0]


def random_text(rng):
    return "".join(rng.choice(TEXT_PIECES) for _ in range(rng.randrange(12)))


def random_key(rng):
    return rng.choice([random_int, random_text, lambda r: r.randbytes(r.randrange(6))])(rng)


def random_value(rng, depth):
    kinds = 9 if depth < 4 else 6
    kind = rng.randrange(kinds)
    if kind == 0:
        return random_int(rng)
    if kind == 1:
        return rng.randbytes(rng.randrange(300) if rng.random() < 0.1 else rng.randrange(24))
    if kind == 2:
        return random_text(rng)
    if kind == 3:
        return rng.choice([True, False, None])
    if kind in (4, 5):
        return random_float(rng)
    if kind == 6:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(30 if rng.random() < 0.05 else 6))]
    if kind == 7:
        return {random_key(rng): random_value(rng, depth + 1) for _ in range(rng.randrange(20 if rng.random() < 0.1 else 6))}
    return cbor2.CBORTag(rng.choice(TAGS), random_value(rng, depth + 1))


def generate(seed, count, path):
    rng = random.Random(seed)
    with open(path, "w") as output:
        for _ in range(count):
            output.write(deterministic(random_value(rng, 0)).hex() + "\n")
    return 0


def main(arguments):
    if len(arguments) == 2 and arguments[0] == "verify":
        return verify(arguments[1])
    if len(arguments) == 4 and arguments[0] == "generate":
        return generate(int(arguments[1]), int(arguments[2]), arguments[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
