#!/usr/bin/env python3
"""An independent encoder of Kalandra frames, written from docs/PROTOCOL.md (not from the Swift code), with Python's
`cryptography` (Ed25519) and `cbor2`.

  make-fuzz-corpus.py --corpus DIR   writes the frame fuzzer's seed corpus: a valid signed frame of every opcode,
                                     and truncated, corrupted and concatenated variants.
  make-fuzz-corpus.py --vectors      prints JSON test vectors (public key, frames with their fields) that the Swift
                                     tests decode and verify: the wire format checked against a second implementation.
"""
import json
import os
import random
import re
import struct
import sys

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTEXT = b"KalandraFrameV1\x00"
MAGIC = 0x53554E44


def opcodes_from_protocol_document():
    """The opcode table of docs/PROTOCOL.md: rows like `| 0x0201 | `applicationMessage` | ...`."""
    with open(os.path.join(ROOT, "docs", "PROTOCOL.md")) as handle:
        rows = re.findall(r"^\| 0x([0-9a-fA-F]{4}) \| `(\w+)`", handle.read(), re.MULTILINE)
    return [(int(value, 16), name) for value, name in rows]


def frame(key, opcode, flags, room, sender, epoch, sequence, timestamp, message_id, payload):
    signed = struct.pack(">IBBH16sQQQ", MAGIC, 1, flags, opcode, room, sender, epoch, sequence)
    signed += timestamp.to_bytes(6, "big") + b"\x00\x00" + struct.pack(">II", message_id, len(payload))
    assert len(signed) == 64
    signature = key.sign(CONTEXT + signed + payload)
    return signed + signature + payload


def vectors(seed=2026):
    generator = random.Random(seed)
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    result = []
    for index, (opcode, name) in enumerate(opcodes_from_protocol_document()):
        fields = {
            "opcode": opcode,
            "flags": generator.choice([0, 1, 2, 3]),
            "room": generator.randbytes(16).hex(),
            "sender": generator.getrandbits(64),
            "epoch": generator.getrandbits(64),
            "sequence": generator.getrandbits(64),
            "timestamp": generator.getrandbits(48),
            "messageID": generator.getrandbits(32),
        }
        # A list payload: its deterministic encoding does not depend on map key ordering rules.
        payload = cbor2.dumps([index, name, generator.randbytes(generator.randrange(0, 300))], canonical=True)
        encoded = frame(key, opcode, fields["flags"], bytes.fromhex(fields["room"]), fields["sender"],
                        fields["epoch"], fields["sequence"], fields["timestamp"], fields["messageID"], payload)
        result.append({"fields": fields, "payload": payload.hex(), "frame": encoded.hex()})
    return public.hex(), result


def write_corpus(directory):
    os.makedirs(directory, exist_ok=True)
    _, frames = vectors()
    generator = random.Random(7)
    for index, entry in enumerate(frames):
        data = bytes.fromhex(entry["frame"])
        variants = {
            "valid": data,
            "truncated": data[: generator.randrange(0, len(data))],
            "flipped": bytearray(data),
            "two": data + data,
        }
        position = generator.randrange(0, len(data))
        variants["flipped"][position] ^= 1 << generator.randrange(8)
        for kind, content in variants.items():
            with open(os.path.join(directory, f"{index:02d}-{kind}"), "wb") as handle:
                handle.write(bytes(content))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--corpus":
        write_corpus(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "--vectors":
        public, frames = vectors()
        print(json.dumps({"publicKey": public, "frames": frames}))
    else:
        print(__doc__)
        sys.exit(2)
