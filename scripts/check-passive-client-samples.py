#!/usr/bin/env python3
"""Check the passive-client sample vectors in Tests/KalandraMLSTests/Vectors/ for transcription errors.

The samples were transcribed by hand from mlswg/mls-implementations (see Vectors/SOURCE.md), so this
script re-derives as much as it can with independent cryptography (cipher suite 1 only:
X25519 / AES-128-GCM / SHA-256 / Ed25519) and exits non-zero on any mismatch:

  * every hex field has even length and decodes; every MLS structure parses with no trailing bytes
  * key_package: MLSMessage(version 1, wire_format 5); Ed25519(signature_priv) == signature_key,
    X25519(encryption_priv) == encryption_key, X25519(init_priv) == init_key; the LeafNode and the
    KeyPackage signatures verify (SignWithLabel "LeafNodeTBS" / "KeyPackageTBS")
  * welcome: new_member == KeyPackageRef(key_package); GroupSecrets HPKE-decrypt with init_priv;
    psk_secret from external_psks; GroupInfo AEAD-decrypts; its confirmation_tag, its signature
    (signer key from the ratchet_tree extension or field) and initial_epoch_authenticator all match
  * each epoch's commit (PublicMessage): signature (FramedContentTBS) and membership_tag verify in the
    current epoch; the commit is then applied (proposals by value: Add / Remove / PreSharedKey, plus an
    UpdatePath): tree update, parent-hash check against the new leaf, path-secret decryption with
    encryption_priv, transcript hashes, key schedule (with PSKs); the commit's confirmation_tag and the
    epoch's epoch_authenticator must match. Anything else (proposals by reference, commits without a
    path, PrivateMessage, other suites) stops the walk for that case with an "info" line.
  Together these cover every byte of every hex field in the current samples.

Usage: python3 scripts/check-passive-client-samples.py [vector-dir]
"""
import hashlib
import hmac
import json
import os
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives import serialization
from cryptography.exceptions import InvalidSignature, InvalidTag

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "mlsrs"))
from tls import R  # noqa: E402  (minimal TLS reader: u(n), raw(n), varint(), vec(), left())

NH = 32
FAIL = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        FAIL.append(what)
    return cond


# ---------------------------------------------------------------- encoding helpers
def V(b):
    n = len(b)
    if n < 0x40:
        h = bytes([n])
    elif n < 0x4000:
        h = (0x4000 | n).to_bytes(2, "big")
    else:
        h = (0x80000000 | n).to_bytes(4, "big")
    return h + b


def u16(x): return x.to_bytes(2, "big")
def u32(x): return x.to_bytes(4, "big")
def u64(x): return x.to_bytes(8, "big")


def H(b): return hashlib.sha256(b).digest()
def extract(salt, ikm): return hmac.new(salt if salt else b"\0" * NH, ikm, hashlib.sha256).digest()


def expand(prk, info, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest(); out += t; i += 1
    return out[:n]


def expand_with_label(secret, label, ctx, n): return expand(secret, u16(n) + V(b"MLS 1.0 " + label) + V(ctx), n)
def derive_secret(secret, label): return expand_with_label(secret, label, b"", NH)
def ref_hash(label, value): return H(V(label) + V(value))


def sign_content(label, content): return V(b"MLS 1.0 " + label) + V(content)


def verify_sig(pub, label, content, sig):
    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(sig, sign_content(label, content)); return True
    except (InvalidSignature, ValueError):
        return False


def x25519_pub(priv):
    return X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# ---------------------------------------------------------------- HPKE base mode, suite (0x20, 1, 1)
def _lx(sid, salt, label, ikm): return extract(salt, b"HPKE-v1" + sid + label + ikm)
def _le(sid, prk, label, info, n): return expand(prk, u16(n) + b"HPKE-v1" + sid + label + info, n)


def hpke_open(sk, enc, info, aad, ct):
    kem = b"KEM" + u16(0x20)
    dh = X25519PrivateKey.from_private_bytes(sk).exchange(X25519PublicKey.from_public_bytes(enc))
    shared = _le(kem, _lx(kem, b"", b"eae_prk", dh), b"shared_secret", enc + x25519_pub(sk), 32)
    sid = b"HPKE" + u16(0x20) + u16(1) + u16(1)
    ksc = b"\0" + _lx(sid, b"", b"psk_id_hash", b"") + _lx(sid, b"", b"info_hash", info)
    secret = _lx(sid, shared, b"secret", b"")
    key, nonce = _le(sid, secret, b"key", ksc, 16), _le(sid, secret, b"base_nonce", ksc, 12)
    return AESGCM(key).decrypt(nonce, ct, aad)


def decrypt_with_label(sk, label, ctx, enc, ct):
    return hpke_open(sk, enc, V(b"MLS 1.0 " + label) + V(ctx), b"", ct)


# ---------------------------------------------------------------- structure parsers (return raw byte spans)
def parse_leaf(r):
    s = r.i; d = {}
    d["encryption_key"] = r.vec(); d["signature_key"] = r.vec()
    ct = r.u(2)
    if ct == 1: r.vec()
    elif ct == 2:
        certs = R(r.vec())
        while certs.left(): certs.vec()
    else: raise ValueError("credential type %d" % ct)
    for _ in range(5): r.vec()  # capabilities
    d["source"] = r.u(1)
    if d["source"] == 1: r.u(8); r.u(8)
    elif d["source"] == 3: d["parent_hash"] = r.vec()
    elif d["source"] != 2: raise ValueError("leaf_node_source")
    r.vec()  # extensions
    d["tbs"] = r.b[s:r.i]
    d["signature"] = r.vec()
    d["raw"] = r.b[s:r.i]
    return d


def parse_tree(b):
    r = R(b); v = R(r.vec()); nodes = []
    while v.left():
        if v.u(1) == 0: nodes.append(None); continue
        t = v.u(1)
        if t == 1: nodes.append(("leaf", parse_leaf(v)))
        else:
            s = v.i; ek = v.vec(); ph = v.vec(); ul = R(v.vec())
            nodes.append(("parent", {"encryption_key": ek, "parent_hash": ph,
                                     "unmerged": [ul.u(4) for _ in range(ul.left() // 4)], "raw": v.b[s:v.i]}))
    assert r.left() == 0
    while len(nodes) & (len(nodes) + 1) or not nodes: nodes.append(None)  # pad to 2^k - 1
    return nodes


def parse_group_context(r):
    s = r.i
    d = {"version": r.u(2), "suite": r.u(2), "group_id": r.vec(), "epoch": r.u(8), "tree_hash": r.vec(),
         "cth": r.vec(), "extensions": r.vec()}
    d["raw"] = r.b[s:r.i]
    return d


def gc_bytes(g): return u16(g["version"]) + u16(g["suite"]) + V(g["group_id"]) + u64(g["epoch"]) + V(g["tree_hash"]) + V(g["cth"]) + V(g["extensions"])


def parse_public_message(b):
    r = R(b); d = {}
    assert r.u(2) == 1 and r.u(2) == 1, "not an MLSMessage(PublicMessage)"
    s = r.i
    d["group_id"] = r.vec(); d["epoch"] = r.u(8); d["sender_type"] = r.u(1)
    if d["sender_type"] in (1, 2): d["sender"] = r.u(4)
    r.vec()  # authenticated_data
    d["content_type"] = r.u(1)
    assert d["content_type"] == 3, "only commits handled here"
    props = R(r.vec()); d["proposals"] = []
    while props.left():
        t = props.u(1)
        if t == 1:
            pt = props.u(2); ps = props.i; skip_proposal(props, pt); d["proposals"].append(("value", pt, props.b[ps:props.i]))
        else: d["proposals"].append(("ref", None, props.vec()))
    d["path"] = None
    if r.u(1):
        leaf = parse_leaf(r); nv = R(r.vec()); nodes = []
        while nv.left():
            ek = nv.vec(); cts = R(nv.vec()); lst = []
            while cts.left(): lst.append((cts.vec(), cts.vec()))
            nodes.append((ek, lst))
        d["path"] = (leaf, nodes)
    d["content"] = r.b[s:r.i]
    a = r.i; d["signature"] = r.vec(); d["confirmation_tag"] = r.vec(); d["auth"] = r.b[a:r.i]
    if d["sender_type"] == 1: d["membership_tag"] = r.vec()
    d["trailing"] = r.left()
    return d


def skip_proposal(r, pt):
    if pt == 1: parse_key_package(r)                      # Add
    elif pt == 2: parse_leaf(r)                           # Update
    elif pt == 3: r.u(4)                                  # Remove
    elif pt == 4: parse_psk_id(r)                         # PreSharedKey
    elif pt == 5: r.vec(); r.u(2); r.vec(); r.u(2)        # ReInit
    elif pt == 6: r.vec()                                 # ExternalInit
    elif pt == 7: r.vec()                                 # GroupContextExtensions
    else: raise ValueError("proposal type %d" % pt)


PROPOSAL_NAMES = {1: "Add", 2: "Update", 3: "Remove", 4: "PreSharedKey", 5: "ReInit", 6: "ExternalInit", 7: "GroupContextExtensions"}


def parse_psk_id(r):
    s = r.i; t = r.u(1)
    if t == 1: ident = r.vec()
    elif t == 2: r.u(1); ident = r.vec(); r.u(8)
    else: raise ValueError("psktype")
    r.vec()  # nonce
    return t, ident, r.b[s:r.i]


def parse_key_package(r):
    s = r.i; d = {"version": r.u(2), "suite": r.u(2), "init_key": r.vec()}
    d["leaf"] = parse_leaf(r); r.vec()
    d["tbs"] = r.b[s:r.i]; d["signature"] = r.vec(); d["raw"] = r.b[s:r.i]
    return d


# ---------------------------------------------------------------- tree math / hashing (array representation)
def level(x):
    k = 0
    while (x >> k) & 1: k += 1
    return k


def root(n): return (1 << (n.bit_length() - 1)) - 1 if n else 0  # n = number of nodes (2^k - 1)
def left(x): return x ^ (1 << (level(x) - 1))
def right(x): return x ^ (3 << (level(x) - 1))


def parent(x, nn):
    k = level(x); p = (x | (1 << k)) & ~(1 << (k + 1))
    return p


def direct_path(x, nn):
    r, out = root(nn), []
    while x != r: x = parent(x, nn); out.append(x)
    return out


def sibling(x, nn):
    p = parent(x, nn); return right(p) if x < p else left(p)


def resolution(nodes, x):
    if nodes[x] is not None:
        return [x] + ([2 * i for i in nodes[x][1]["unmerged"]] if nodes[x][0] == "parent" else [])
    if level(x) == 0: return []
    return resolution(nodes, left(x)) + resolution(nodes, right(x))


def tree_hash(nodes, x):
    n = nodes[x]
    if level(x) == 0:
        return H(b"\x01" + u32(x // 2) + (b"\x01" + n[1]["raw"] if n else b"\x00"))
    return H(b"\x02" + (b"\x01" + n[1]["raw"] if n else b"\x00") + V(tree_hash(nodes, left(x))) + V(tree_hash(nodes, right(x))))


def parent_raw(ek, ph, unmerged): return V(ek) + V(ph) + V(b"".join(u32(i) for i in unmerged))


# ---------------------------------------------------------------- psk_secret
def psk_secret(psk_ids, ext):
    if not psk_ids: return b"\0" * NH
    acc = b"\0" * NH
    for i, (t, ident, raw) in enumerate(psk_ids):
        assert t == 1, "resumption PSK not supported here"
        psk_input = expand_with_label(extract(b"", ext[ident]), b"derived psk", raw + u16(i) + u16(len(psk_ids)), NH)
        acc = extract(psk_input, acc)
    return acc


def self_test(vdir):
    p = os.path.join(vdir, "psk_secret.json")
    if not os.path.exists(p): return
    ok = True
    for c in json.load(open(p)):
        if c["cipher_suite"] != 1: continue
        ids = [(1, bytes.fromhex(x["psk_id"]), b"\x01" + V(bytes.fromhex(x["psk_id"])) + V(bytes.fromhex(x["psk_nonce"]))) for x in c["psks"]]
        ext = {bytes.fromhex(x["psk_id"]): bytes.fromhex(x["psk"]) for x in c["psks"]}
        ok &= psk_secret(ids, ext).hex() == c["psk_secret"]
    check(ok, "self-test: psk_secret derivation matches psk_secret.json (suite 1)")


# ---------------------------------------------------------------- per-case checks
def hex_fields(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items(): yield from hex_fields(v, path + "." + k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj): yield from hex_fields(v, "%s[%d]" % (path, i))
    elif isinstance(obj, str):
        yield path, obj


def verify_commit(msg, st, what):
    m = parse_public_message(msg)
    check(m["trailing"] == 0, what + ": PublicMessage parses with no trailing bytes")
    check(m["group_id"] == st["gc"]["group_id"] and m["epoch"] == st["gc"]["epoch"], what + ": group_id/epoch match the current epoch (%d)" % st["gc"]["epoch"])
    sender_leaf = st["nodes"][2 * m["sender"]][1]
    tbs = u16(1) + u16(1) + m["content"] + gc_bytes(st["gc"])
    check(verify_sig(sender_leaf["signature_key"], b"FramedContentTBS", tbs, m["signature"]), what + ": signature verifies (sender leaf %d)" % m["sender"])
    tag = hmac.new(derive_secret(st["epoch_secret"], b"membership"), tbs + m["auth"], hashlib.sha256).digest()
    check(tag == m["membership_tag"], what + ": membership_tag verifies")
    return m


def set_parent(nodes, x, ek, ph, unmerged):
    nodes[x] = ("parent", {"encryption_key": ek, "parent_hash": ph, "unmerged": unmerged, "raw": parent_raw(ek, ph, unmerged)})


def apply_commit(st, m, ext_psks, what, expected_auth):
    """Apply a member commit whose proposals are all by value (Add/Remove/PreSharedKey) and which
    carries an UpdatePath; check confirmation_tag and epoch_authenticator. Returns the new state."""
    nodes = list(st["nodes"]); sender = m["sender"]; psk_ids = []; joiners = []
    order = {3: 0, 1: 1, 4: 2}  # RFC 9420 12.3: Remove before Add; PSKs only feed the key schedule
    for kind, pt, raw in sorted(m["proposals"], key=lambda p: order.get(p[1], 9)):
        if kind != "value" or pt not in order: raise ValueError("unsupported proposal %r" % (PROPOSAL_NAMES.get(pt, pt),))
        r = R(raw)
        if pt == 3:   # Remove: blank leaf and direct path, then truncate
            li = r.u(4); nodes[2 * li] = None
            for x in direct_path(2 * li, len(nodes)): nodes[x] = None
            while len(nodes) > 1 and all(n is None for n in nodes[len(nodes) // 2 + 1:]):
                nodes = nodes[:len(nodes) // 2]
        elif pt == 1:  # Add: leftmost blank leaf (or extend), mark unmerged on non-blank ancestors
            kp = parse_key_package(r)
            free = [i for i in range(0, len(nodes), 2) if nodes[i] is None]
            if not free: free = [len(nodes) + 1]; nodes = nodes + [None] * (len(nodes) + 1)
            x = free[0]; nodes[x] = ("leaf", kp["leaf"]); joiners.append(x)
            for p in direct_path(x, len(nodes)):
                if nodes[p] is not None:
                    n = nodes[p][1]; set_parent(nodes, p, n["encryption_key"], n["parent_hash"], n["unmerged"] + [x // 2])
        elif pt == 4:
            psk_ids.append(parse_psk_id(r))
    nn = len(nodes); leaf, upn = m["path"]
    # filtered direct path: drop nodes whose copath child has an empty resolution (provisional tree)
    dp = direct_path(2 * sender, nn); below = [2 * sender] + dp[:-1]
    chain = [2 * sender] + [p for p, b in zip(dp, below) if resolution(nodes, sibling(b, nn))]
    fdp = chain[1:]
    check(len(fdp) == len(upn), what + ": UpdatePath length matches the filtered direct path")
    prov = list(nodes)  # provisional tree (proposals applied) for resolutions
    for p in dp: nodes[p] = None
    nodes[2 * sender] = ("leaf", leaf)
    for p, (ek, _) in zip(fdp, upn): set_parent(nodes, p, ek, b"", [])
    ph_above = b""
    for i in range(len(chain) - 1, 0, -1):
        p = chain[i]; ek = nodes[p][1]["encryption_key"]; set_parent(nodes, p, ek, ph_above, [])
        s = right(p) if chain[i - 1] < p else left(p)
        ph_above = H(V(ek) + V(ph_above) + V(tree_hash(nodes, s)))
    check(leaf.get("parent_hash") == ph_above, what + ": computed parent hash equals the UpdatePath leaf's parent_hash")
    gc = dict(st["gc"]); gc["epoch"] += 1; gc["tree_hash"] = tree_hash(nodes, root(nn))
    me = st["me"]; path_secret = None; start = None
    for idx, p in enumerate(fdp):
        # recipients: resolution of the copath child, minus leaves added by this commit
        res = [y for y in resolution(prov, sibling(below[dp.index(p)], nn)) if y not in joiners]
        if 2 * me in res:
            enc, ct = upn[idx][1][res.index(2 * me)]
            path_secret = decrypt_with_label(st["leaf_priv"], b"UpdatePathNode", gc_bytes(gc), enc, ct)
            start = idx; break
    if not check(path_secret is not None, what + ": path secret decrypted with encryption_priv"): return None
    for p in fdp[start:-1]: path_secret = derive_secret(path_secret, b"path")
    commit_secret = derive_secret(path_secret, b"path")
    interim = H(st["gc"]["cth"] + V(st["confirmation_tag"]))
    gc["cth"] = H(interim + u16(1) + m["content"] + V(m["signature"]))
    joiner = expand_with_label(extract(derive_secret(st["epoch_secret"], b"init"), commit_secret), b"joiner", gc_bytes(gc), NH)
    epoch_secret = expand_with_label(extract(joiner, psk_secret(psk_ids, ext_psks)), b"epoch", gc_bytes(gc), NH)
    check(hmac.new(derive_secret(epoch_secret, b"confirm"), gc["cth"], hashlib.sha256).digest() == m["confirmation_tag"], what + ": confirmation_tag verifies")
    check(derive_secret(epoch_secret, b"authentication").hex() == expected_auth, what + ": epoch_authenticator matches")
    return {"gc": gc, "nodes": nodes, "epoch_secret": epoch_secret, "confirmation_tag": m["confirmation_tag"], "me": me, "leaf_priv": st["leaf_priv"]}


def check_case(c, name):
    print("--- " + name)
    bad = [p for p, v in hex_fields(c) if len(v) % 2 or any(ch not in "0123456789abcdef" for ch in v)]
    check(not bad, "all hex fields have even length and are lowercase hex" + (" (bad: %s)" % bad if bad else ""))
    if c["cipher_suite"] != 1:
        print("skip  cipher suite %d: only suite 1 is checked cryptographically" % c["cipher_suite"]); return
    kpm = bytes.fromhex(c["key_package"]); r = R(kpm)
    check(r.u(2) == 1 and r.u(2) == 5, "key_package is MLSMessage(version=1, wire_format=5 mls_key_package)")
    kp = parse_key_package(r)
    check(r.left() == 0 and kp["version"] == 1 and kp["suite"] == 1, "KeyPackage parses (version 1, suite 1, no trailing bytes)")
    lf = kp["leaf"]
    sig_pub = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(c["signature_priv"])).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    check(sig_pub == lf["signature_key"], "Ed25519(signature_priv) == LeafNode.signature_key")
    check(x25519_pub(bytes.fromhex(c["encryption_priv"])) == lf["encryption_key"], "X25519(encryption_priv) == LeafNode.encryption_key")
    check(x25519_pub(bytes.fromhex(c["init_priv"])) == kp["init_key"], "X25519(init_priv) == KeyPackage.init_key")
    check(verify_sig(lf["signature_key"], b"LeafNodeTBS", lf["tbs"], lf["signature"]), "LeafNode signature verifies (LeafNodeTBS)")
    check(verify_sig(lf["signature_key"], b"KeyPackageTBS", kp["tbs"], kp["signature"]), "KeyPackage signature verifies (KeyPackageTBS)")

    # Welcome
    r = R(bytes.fromhex(c["welcome"]))
    check(r.u(2) == 1 and r.u(2) == 3 and r.u(2) == 1, "welcome is MLSMessage(version=1, wire_format=3 mls_welcome), suite 1")
    secrets = R(r.vec()); egi = r.vec(); check(r.left() == 0, "Welcome parses with no trailing bytes")
    ref = ref_hash(b"MLS 1.0 KeyPackage Reference", kp["raw"]); gs = None
    while secrets.left():
        nm = secrets.vec(); enc, ct = secrets.vec(), secrets.vec()
        if nm == ref:
            try: gs = decrypt_with_label(bytes.fromhex(c["init_priv"]), b"Welcome", egi, enc, ct)
            except InvalidTag: gs = False
    if not check(bool(gs), "GroupSecrets for KeyPackageRef found and HPKE-decrypted with init_priv"): return
    r = R(gs); joiner = r.vec(); has_ps = r.u(1); path_secret = r.vec() if has_ps else None
    pv = R(r.vec()); psks = []
    while pv.left(): psks.append(parse_psk_id(pv))
    check(r.left() == 0, "GroupSecrets parses (%d PSK(s), path_secret %s)" % (len(psks), "present" if has_ps else "absent"))
    ext = {bytes.fromhex(p["psk_id"]): bytes.fromhex(p["psk"]) for p in c["external_psks"]}
    member = extract(joiner, psk_secret(psks, ext))
    ws = derive_secret(member, b"welcome")
    try: gi = AESGCM(expand_with_label(ws, b"key", b"", 16)).decrypt(expand_with_label(ws, b"nonce", b"", 12), egi, b"")
    except InvalidTag: gi = None
    if not check(gi is not None, "GroupInfo AEAD-decrypts with the welcome key"): return
    r = R(gi); gc = parse_group_context(r); gext = r.vec(); ctag = r.vec(); signer = r.u(4); tbs_end = r.i; gsig = r.vec()
    check(r.left() == 0, "GroupInfo parses (group epoch %d, signer leaf %d)" % (gc["epoch"], signer))
    tree = bytes.fromhex(c["ratchet_tree"]) if c["ratchet_tree"] else None
    e = R(gext)
    while e.left():
        t = e.u(2); d = e.vec()
        if t == 2 and tree is None: tree = d
    if not check(tree is not None, "ratchet tree available (%s)" % ("field" if c["ratchet_tree"] else "GroupInfo extension")): return
    nodes = parse_tree(tree)
    check(tree_hash(nodes, root(len(nodes))) == gc["tree_hash"], "tree hash of the ratchet tree == GroupContext.tree_hash (%d leaves)" % ((len(nodes) + 1) // 2))
    check(verify_sig(nodes[2 * signer][1]["signature_key"], b"GroupInfoTBS", gi[:tbs_end], gsig), "GroupInfo signature verifies")
    epoch_secret = expand_with_label(member, b"epoch", gc["raw"], NH)
    check(hmac.new(derive_secret(epoch_secret, b"confirm"), gc["cth"], hashlib.sha256).digest() == ctag, "GroupInfo confirmation_tag verifies")
    check(derive_secret(epoch_secret, b"authentication").hex() == c["initial_epoch_authenticator"], "initial_epoch_authenticator matches")
    me = [i // 2 for i, n in enumerate(nodes) if n and n[0] == "leaf" and n[1]["raw"] == lf["raw"]]
    check(len(me) == 1, "own leaf found in the tree")
    st = {"gc": gc, "nodes": nodes, "epoch_secret": epoch_secret, "confirmation_tag": ctag, "me": me[0] if me else None,
          "leaf_priv": bytes.fromhex(c["encryption_priv"])}

    for i, ep in enumerate(c["epochs"]):
        what = "epochs[%d]" % i
        if ep["proposals"]:
            print("info  %s: proposals by reference are not handled here; stopping" % what); return
        m = verify_commit(bytes.fromhex(ep["commit"]), st, what + ".commit")
        kinds = [PROPOSAL_NAMES.get(pt, pt) if k == "value" else "by-ref" for k, pt, _ in m["proposals"]]
        print("info  %s.commit: sender leaf %d, proposals %s, path %s" % (what, m["sender"], kinds or "none", "yes" if m["path"] else "no"))
        if not m["path"]:
            print("info  %s: commit without path not handled here; stopping" % what); return
        st = apply_commit(st, m, ext, what, ep["epoch_authenticator"])
        if st is None: return


def main():
    vdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "Tests", "KalandraMLSTests", "Vectors")
    self_test(vdir)
    for f in ["passive-client-welcome.json", "passive-client-handling-commit.json", "passive-client-random.json"]:
        p = os.path.join(vdir, f)
        if not os.path.exists(p): print("--- %s: not present, skipped" % f); continue
        for i, c in enumerate(json.load(open(p))):
            try: check_case(c, "%s[%d]" % (f, i))
            except Exception as ex:  # parse errors are transcription errors too
                check(False, "%s[%d]: exception %r" % (f, i, ex))
    print("\n%s (%d failure(s))" % ("FAILED" if FAIL else "ALL CHECKS PASSED", len(FAIL)))
    sys.exit(1 if FAIL else 0)


if __name__ == "__main__":
    main()
