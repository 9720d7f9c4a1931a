#!/usr/bin/env python3
"""mls-rs (RFC 9420) as the other side of interop tests: a JSON-lines driver over the PyPI wheel
agentvault-mls-rs-uniffi==0.1.1 (module mls_rs_uniffi; suite 1, basic credentials; API: docs/MLS-RS-INTEROP.md).

  driver.py              serve: one JSON request per stdin line, exactly one JSON response per stdout line
  driver.py --self-test  run a 3-member scenario through a child driver; exit status 0 iff it passed

One process hosts many mls-rs clients keyed by `name`; each client is in at most one group. Bytes are lowercase
hex. Every response has "ok"; a failed request answers {"ok": false, "error_type", "error"} and the driver keeps
serving. An optional request "id" (any JSON value) is echoed back. Requests are handled strictly in order.

mls-rs does not apply its own commits: `add`/`remove`/`commit` leave the commit pending (the group stays in its epoch)
until `apply_pending` (or `process` of that same commit) merges it, the "pending until the server confirms" model.
Processing another member's commit for the same epoch silently drops the pending one.
"""
import json
import os
import subprocess
import sys

import mls_rs_uniffi as m

SUITE = m.CipherSuite.CURVE25519_AES128


class DriverError(Exception):
    """A request the driver refuses before or around mls-rs: unknown op or client, bad field, wrong member state."""


class Reader:
    """Just enough of the RFC 9420 TLS presentation language (QUIC-style varint lengths) to read headers and trees."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def uint(self, size):
        if self.at + size > len(self.data):
            raise DriverError("truncated structure")
        value = int.from_bytes(self.data[self.at:self.at + size], "big")
        self.at += size
        return value

    def vector(self):
        prefix = self.data[self.at] >> 6 if self.at < len(self.data) else 0
        if prefix == 3:
            raise DriverError("invalid varint length prefix")
        length = self.uint(1 << prefix) & ((1 << (8 * (1 << prefix) - 2)) - 1)
        if self.at + length > len(self.data):
            raise DriverError("truncated vector")
        self.at += length
        return self.data[self.at - length:self.at]

    def remaining(self):
        return len(self.data) - self.at


def header_epoch(message):
    """The epoch of a PublicMessage or PrivateMessage: both start version, wire_format, group_id<V>, epoch."""
    reader = Reader(message)
    reader.uint(2)
    if reader.uint(2) not in (1, 2):
        raise DriverError("not a PublicMessage or PrivateMessage")
    reader.vector()
    return reader.uint(8)


def read_leaf(reader):
    """A LeafNode; returns (identity, signature_key). Basic credentials only (all the wheel can make)."""
    reader.vector()  # encryption_key
    signature_key = reader.vector()
    if reader.uint(2) != 1:
        raise DriverError("non-basic credential in the tree")
    identity = reader.vector()
    for _ in range(5):  # capabilities: versions, cipher_suites, extensions, proposals, credentials
        reader.vector()
    source = reader.uint(1)
    if source == 1:
        reader.uint(16)  # lifetime: not_before, not_after
    elif source == 3:
        reader.vector()  # parent_hash
    reader.vector()  # extensions
    reader.vector()  # signature
    return identity, signature_key


def roster_of(tree):
    """Members (leaf index, identity, signature key) from a bare `optional<Node> ratchet_tree<V>`."""
    outer = Reader(tree)
    nodes = Reader(outer.vector())
    if outer.remaining():
        raise DriverError("trailing bytes after the ratchet tree")
    members, node_index = [], 0
    while nodes.remaining():
        if nodes.uint(1):
            node_type = nodes.uint(1)
            if node_type == 1:
                identity, signature_key = read_leaf(nodes)
                members.append({"leaf_index": node_index // 2, "identity": identity.hex(),
                                "signature_key": signature_key.hex()})
            elif node_type == 2:
                nodes.vector(), nodes.vector(), nodes.vector()  # encryption_key, parent_hash, unmerged_leaves
            else:
                raise DriverError(f"unknown node type {node_type}")
        node_index += 1
    return members


class Store(m.GroupStateStorage):
    """The client's group storage, readable from Python: `epoch` and `join` read the epoch from the state mls-rs
    writes, because the wheel exposes neither the epoch nor the group id."""

    def __init__(self):
        self.states, self.epochs, self.last_group_id = {}, {}, None

    def state(self, group_id):
        return self.states.get(bytes(group_id))

    def epoch(self, group_id, epoch_id):
        return self.epochs.get((bytes(group_id), epoch_id))

    def write(self, group_id, state, epoch_inserts, epoch_updates):
        group_id = bytes(group_id)
        self.states[group_id], self.last_group_id = bytes(state), group_id
        for record in list(epoch_inserts) + list(epoch_updates):
            self.epochs[(group_id, record.id)] = bytes(record.data)

    def max_epoch_id(self, group_id):
        ids = [epoch for (known, epoch) in self.epochs if known == bytes(group_id)]
        return max(ids) if ids else None


class Member:
    """One mls-rs client (identity = its name's UTF-8 bytes) and the one group it is in, if any."""

    def __init__(self, name, ratchet_tree_extension):
        self.name, self.identity = name, name.encode()
        self.keypair = m.generate_signature_keypair(SUITE)
        self.store = Store()
        config = m.ClientConfig(group_state_storage=self.store, use_ratchet_tree_extension=ratchet_tree_extension)
        self.client = m.Client(self.identity, self.keypair, config)
        self.group = self.group_id = self.epoch = None
        self.pending = None  # bytes of our own commit that mls-rs holds pending
        self.removed = False

    def require_group(self):
        if self.group is None:
            raise DriverError(f"{self.name} was removed from its group" if self.removed else f"{self.name} is in no group")
        return self.group

    def enter(self, group, group_id, epoch):
        if self.group is not None:
            raise DriverError(f"{self.name} is already in a group")
        self.group, self.group_id, self.epoch, self.pending, self.removed = group, group_id, epoch, None, False

    def state_epoch(self):
        """The epoch in mls-rs's own serialized state (after a 2-byte snapshot version: the GroupContext's
        version, cipher_suite, group_id<V>, epoch). The group id check guards against a layout change."""
        self.require_group().write_to_storage()
        reader = Reader(self.store.states[self.group_id])
        reader.uint(2)
        if reader.uint(2) != 1 or reader.uint(2) != 1 or reader.vector() != self.group_id:
            raise DriverError("unexpected mls-rs state layout (not mls-rs 0.55 / wheel 0.1.1?)")
        return reader.uint(8)


def commit_output(member, output):
    member.pending = output.commit_message.to_bytes()
    welcome = output.welcome_message
    return {"commit": member.pending.hex(),
            "welcome": welcome.to_bytes().hex() if welcome is not None else None,
            "ratchet_tree": output.ratchet_tree.bytes.hex() if output.ratchet_tree is not None else None}


class Driver:
    def __init__(self):
        self.members = {}

    # -- request fields ----------------------------------------------------------------------------------------

    @staticmethod
    def field(request, key, kind, required=True):
        value = request.get(key)
        if value is None:
            if required:
                raise DriverError(f"missing field {key!r}")
            return None
        if kind is bool and isinstance(value, bool):
            return value
        if kind is int and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if kind is str and isinstance(value, str):
            return value
        if kind is bytes and isinstance(value, str):
            try:
                return bytes.fromhex(value)
            except ValueError:
                raise DriverError(f"field {key!r} is not hex") from None
        if kind is list and isinstance(value, list):
            return value
        raise DriverError(f"field {key!r} must be {kind.__name__ if kind is not bytes else 'hex'}")

    def hex_list(self, request, key):
        return [self.field({key: item}, key, bytes) for item in self.field(request, key, list)]

    def member(self, request, key="name"):
        name = self.field(request, key, str)
        if name not in self.members:
            raise DriverError(f"no client named {name!r}")
        return self.members[name]

    def removal_targets(self, request, member):
        """SigningIdentity handles for `identities` (hex) or `leaf_indices`. The wheel looks members up by
        credential identity only, so a throwaway client with that identity yields a usable handle."""
        if ("identities" in request) == ("leaf_indices" in request):
            raise DriverError("give exactly one of 'identities' and 'leaf_indices'")
        if "identities" in request:
            identities = self.hex_list(request, "identities")
        else:
            by_leaf = {entry["leaf_index"]: bytes.fromhex(entry["identity"])
                       for entry in roster_of(member.require_group().export_tree().bytes)}
            identities = []
            for index in self.field(request, "leaf_indices", list):
                if index not in by_leaf:
                    raise DriverError(f"no member at leaf {index}")
                identities.append(by_leaf[index])
        return [m.Client(identity, m.generate_signature_keypair(SUITE), m.client_config_default()).signing_identity()
                for identity in identities]

    # -- processing --------------------------------------------------------------------------------------------

    @staticmethod
    def receive(member, message):
        received = member.require_group().process_incoming_message(m.Message.from_bytes(message))
        if received.is_application_message():
            return {"kind": "application", "data": bytes(received.data).hex(), "epoch": member.epoch}
        if received.is_commit():
            member.pending = None  # merged, or dropped by mls-rs because another commit won the epoch
            effect = received.effect
            if effect.is_removed():
                member.group, member.epoch, member.removed = None, None, True
                return {"kind": "commit", "effect": "removed", "epoch": None}
            member.epoch = header_epoch(message) + 1  # accepted, so it was for our current epoch
            return {"kind": "commit", "effect": "reinit" if effect.is_re_init() else "new_epoch", "epoch": member.epoch}
        if received.is_received_proposal():
            return {"kind": "proposal", "epoch": member.epoch}
        kind = "welcome" if received.is_welcome() else "group_info" if received.is_group_info() else "key_package"
        return {"kind": kind, "epoch": member.epoch}

    # -- ops ---------------------------------------------------------------------------------------------------

    def op_new_client(self, request):
        name = self.field(request, "name", str)
        if not name or name in self.members:
            raise DriverError(f"client name {name!r} is empty or taken")
        member = Member(name, self.field(request, "ratchet_tree_extension", bool, required=False) is not False)
        self.members[name] = member
        return {"identity": member.identity.hex(), "signature_public_key": bytes(member.keypair.public_key.bytes).hex()}

    def op_key_package(self, request):
        return {"key_package": self.member(request).client.generate_key_package_message().to_bytes().hex()}

    def op_create_group(self, request):
        member = self.member(request)
        group_id = self.field(request, "group_id", bytes, required=False) or os.urandom(32)
        member.enter(member.client.create_group(group_id), group_id, 0)
        return {"group_id": group_id.hex(), "epoch": 0}

    def op_join(self, request):
        member = self.member(request)
        if member.group is not None:
            raise DriverError(f"{member.name} is already in a group")
        tree = self.field(request, "ratchet_tree", bytes, required=False)
        welcome = m.Message.from_bytes(self.field(request, "welcome", bytes))
        group = member.client.join_group(m.RatchetTree(bytes=tree) if tree is not None else None, welcome).group
        group.write_to_storage()  # the Welcome's GroupInfo is encrypted: the group id comes from the written state
        member.enter(group, member.store.last_group_id, None)
        member.epoch = member.state_epoch()
        return {"group_id": member.group_id.hex(), "epoch": member.epoch}

    def op_add(self, request):
        member = self.member(request)
        key_packages = [m.Message.from_bytes(kp) for kp in self.hex_list(request, "key_packages")]
        return commit_output(member, member.require_group().add_members(key_packages))

    def op_remove(self, request):
        member = self.member(request)
        return commit_output(member, member.require_group().remove_members(self.removal_targets(request, member)))

    def op_commit(self, request):
        member = self.member(request)
        return commit_output(member, member.require_group().commit())

    def op_propose_add(self, request):
        member = self.member(request)
        key_packages = [m.Message.from_bytes(kp) for kp in self.hex_list(request, "key_packages")]
        return {"proposals": [p.to_bytes().hex() for p in member.require_group().propose_add_members(key_packages)]}

    def op_propose_remove(self, request):
        member = self.member(request)
        proposals = member.require_group().propose_remove_members(self.removal_targets(request, member))
        return {"proposals": [p.to_bytes().hex() for p in proposals]}

    def op_apply_pending(self, request):
        member = self.member(request)
        if member.pending is None:
            raise DriverError(f"{member.name} has no pending commit")
        return self.receive(member, member.pending)

    def op_process(self, request):
        return self.receive(self.member(request), self.field(request, "message", bytes))

    def op_process_many(self, request):
        """One message to several members in one round trip (a multi-megabyte commit is sent once). Stops at the
        first failure; the members before it have processed the message."""
        message, results = self.field(request, "message", bytes), {}
        for name in self.field(request, "names", list):
            member = self.member({"name": name})
            try:
                results[name] = self.receive(member, message)
            except Exception as error:
                raise DriverError(f"{name}: {type(error).__name__}: {error} (processed: {list(results)})") from error
        return {"results": results}

    def op_encrypt(self, request):
        member = self.member(request)
        message = member.require_group().encrypt_application_message(self.field(request, "data", bytes))
        return {"message": message.to_bytes().hex()}

    def op_export(self, request):
        member = self.member(request)
        secret = member.require_group().export_secret(self.field(request, "label", bytes),
                                                      self.field(request, "context", bytes),
                                                      self.field(request, "length", int))
        return {"secret": bytes(secret).hex()}

    def op_epoch(self, request):
        member = self.member(request)
        epoch = member.state_epoch()
        if epoch != member.epoch:  # would mean the tracked epoch in `process` answers is wrong
            print(f"driver: {member.name}: state epoch {epoch} != tracked {member.epoch}", file=sys.stderr)
            member.epoch = epoch
        return {"epoch": epoch}

    def op_roster(self, request):
        return {"members": roster_of(self.member(request).require_group().export_tree().bytes)}

    def op_tree(self, request):
        return {"ratchet_tree": self.member(request).require_group().export_tree().bytes.hex()}

    def op_shutdown(self, request):
        return {}

    def handle(self, request):
        if not isinstance(request, dict):
            raise DriverError("a request is a JSON object")
        handler = getattr(self, f"op_{request.get('op')}", None) if isinstance(request.get("op"), str) else None
        if handler is None:
            raise DriverError(f"unknown op {request.get('op')!r}")
        return handler(request)


def serve():
    # Responses go to a private copy of stdout; fd 1 then points at stderr, so nothing else (a stray print, or the
    # native library) can ever interleave with the response stream.
    responses = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    driver = Driver()
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        request_id, done = None, False
        try:
            request = json.loads(line)
            if isinstance(request, dict):
                request_id, done = request.get("id"), request.get("op") == "shutdown"
            response = {"ok": True, **driver.handle(request)}
        except Exception as error:  # DriverError, ValueError (bad JSON), mls_rs_uniffi.Error.*, InternalError (panic)
            response = {"ok": False, "error_type": type(error).__name__, "error": str(error)}
        if request_id is not None:
            response["id"] = request_id
        responses.write(json.dumps(response) + "\n")
        responses.flush()
        if done:
            break
    return 0


# -- self-test ---------------------------------------------------------------------------------------------------

class SelfTestFailure(Exception):
    pass


class Session:
    """A child driver spoken to over its pipes, exactly as the Swift tests do."""

    def __init__(self):
        self.child = subprocess.Popen([sys.executable, os.path.abspath(__file__)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE)
        self.count = 0

    def send(self, op, **fields):
        self.count += 1
        self.child.stdin.write((json.dumps({"op": op, "id": self.count, **fields}) + "\n").encode())
        self.child.stdin.flush()
        line = self.child.stdout.readline()
        if not line:
            raise SelfTestFailure(f"{op}: the driver exited")
        response = json.loads(line)
        if response.get("id") != self.count or not isinstance(response.get("ok"), bool):
            raise SelfTestFailure(f"{op}: malformed response {response}")
        return response

    def ok(self, op, **fields):
        response = self.send(op, **fields)
        if not response["ok"]:
            raise SelfTestFailure(f"{op} {fields}: {response}")
        return response

    def fails(self, op, containing, **fields):
        response = self.send(op, **fields)
        if response["ok"] or containing not in f"{response['error_type']}: {response['error']}":
            raise SelfTestFailure(f"{op} should fail with {containing!r}: {response}")


def check(condition, what):
    if not condition:
        raise SelfTestFailure(what)
    print(f"self-test: {what}", file=sys.stderr)


def self_test():
    s = Session()
    names = ["alice", "bob", "carol"]
    s.ok("new_client", name="alice")
    s.ok("new_client", name="bob", ratchet_tree_extension=False)  # bob's Welcomes need the tree out of band
    s.ok("new_client", name="carol")
    s.fails("new_client", "taken", name="alice")

    def export(name):
        return s.ok("export", name=name, label="6b616c616e647261", context="", length=32)["secret"]

    def agree(group, epoch):
        secrets = {export(name) for name in group}
        rosters = {json.dumps(s.ok("roster", name=name)["members"]) for name in group}
        epochs = {s.ok("epoch", name=name)["epoch"] for name in group}
        check(len(secrets) == 1 and len(rosters) == 1 and epochs == {epoch},
              f"{','.join(group)} agree on exporter, roster, epoch {epoch}")

    # alice creates and adds bob by value; her commit stays pending until apply_pending
    s.ok("create_group", name="alice", group_id="73656c662d74657374")
    add = s.ok("add", name="alice", key_packages=[s.ok("key_package", name="bob")["key_package"]])
    check(add["welcome"] and add["ratchet_tree"] is None, "add: Welcome with the tree inside")
    check(s.ok("epoch", name="alice")["epoch"] == 0, "own commit pending: still epoch 0")
    s.fails("commit", "commit already pending", name="alice")
    check(s.ok("apply_pending", name="alice") == {"ok": True, "id": s.count, "kind": "commit",
                                                    "effect": "new_epoch", "epoch": 1}, "apply_pending -> epoch 1")
    s.fails("apply_pending", "no pending commit", name="alice")
    check(s.ok("join", name="bob", welcome=add["welcome"])["epoch"] == 1, "bob joins at epoch 1")

    # bob proposes carol, alice receives the proposal, bob commits it by reference (tree out of band)
    proposals = s.ok("propose_add", name="bob", key_packages=[s.ok("key_package", name="carol")["key_package"]])
    check(s.ok("process", name="alice", message=proposals["proposals"][0])["kind"] == "proposal", "proposal received")
    by_ref = s.ok("commit", name="bob")
    check(by_ref["welcome"] and by_ref["ratchet_tree"], "commit by reference: Welcome and tree out of band")
    s.ok("apply_pending", name="bob")
    s.ok("process_many", names=["alice"], message=by_ref["commit"])
    s.fails("join", "ratchet tree", name="carol", welcome=by_ref["welcome"])
    s.ok("join", name="carol", welcome=by_ref["welcome"], ratchet_tree=by_ref["ratchet_tree"])
    agree(names, 2)
    roster = s.ok("roster", name="carol")["members"]
    check([bytes.fromhex(entry["identity"]).decode() for entry in roster] == names, "roster: alice, bob, carol")

    # application message, and errors that must not stop the driver
    message = s.ok("encrypt", name="carol", data="68656c6c6f")["message"]
    for name in ("alice", "bob"):
        received = s.ok("process", name=name, message=message)
        check(received["kind"] == "application" and received["data"] == "68656c6c6f", f"{name} decrypts carol's message")
    s.fails("process", "self", name="carol", message=message)
    s.fails("process", "MlsError", name="alice", message="0001ffff")
    s.fails("process", "not hex", name="alice", message="zz")
    s.fails("nonsense", "unknown op")
    s.fails("epoch", "no client", name="dave")
    check(s.send("epoch", name="alice")["ok"], "driver still serving after errors")

    # alice removes carol by leaf index (a path commit); carol learns she is out
    carol_leaf = next(entry["leaf_index"] for entry in roster if entry["identity"] == b"carol".hex())
    remove = s.ok("remove", name="alice", leaf_indices=[carol_leaf])
    check(remove["welcome"] is None, "remove: no Welcome")
    s.ok("apply_pending", name="alice")
    s.ok("process", name="bob", message=remove["commit"])
    check(s.ok("process", name="carol", message=remove["commit"])["effect"] == "removed", "carol sees her removal")
    s.fails("encrypt", "removed", name="carol", data="")
    agree(["alice", "bob"], 3)

    # empty commit with a path from bob, then alice's competing commit for the same epoch loses
    empty = s.ok("commit", name="bob")
    stale = s.ok("commit", name="alice")
    s.ok("apply_pending", name="bob")
    check(s.ok("process", name="alice", message=empty["commit"])["epoch"] == 4, "bob's empty commit wins epoch 3")
    s.fails("process", "incorrect epoch", name="alice", message=stale["commit"])
    s.fails("apply_pending", "no pending commit", name="alice")
    agree(["alice", "bob"], 4)

    s.ok("shutdown")
    check(s.child.stdout.read() == b"" and s.child.wait(timeout=10) == 0, "shutdown: clean exit, nothing else on stdout")


def main():
    if sys.argv[1:] == ["--self-test"]:
        try:
            self_test()
        except SelfTestFailure as failure:
            print(f"self-test FAILED: {failure}", file=sys.stderr)
            return 1
        print("self-test passed", file=sys.stderr)
        return 0
    if sys.argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    return serve()


if __name__ == "__main__":
    sys.exit(main())
