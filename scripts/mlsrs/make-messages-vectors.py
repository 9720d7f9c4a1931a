"""Produce mls-rs wire bytes (hex) and a messages.json-format file (fields mls-rs cannot produce come from the WG file).

Run from this folder with agentvault-mls-rs-uniffi==0.1.1 installed; writes mlsrs-vectors.json and
mlsrs-messages.json here. The committed copy is Tests/KalandraMLSTests/Interop/mlsrs-messages.json (see its SOURCE.md).
"""
import json
import os
import sys

import mls_rs_uniffi as m
import tls

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CS=m.CipherSuite.CURVE25519_AES128
def mk(n): 
    cfg=m.client_config_default(); cfg.use_ratchet_tree_extension=False
    return m.Client(n, m.generate_signature_keypair(CS), cfg)
a,b,c=mk(b"alice"),mk(b"bob"),mk(b"carol")
ga=a.create_group(b"kalandra-interop")
kpb=b.generate_key_package_message()
co=ga.add_members([kpb]); ga.process_incoming_message(co.commit_message)
gb=b.join_group(co.ratchet_tree, co.welcome_message).group
prop=gb.propose_add_members([c.generate_key_package_message()])[0]
ga.process_incoming_message(prop)
co2=ga.commit(); ga.process_incoming_message(co2.commit_message); gb.process_incoming_message(co2.commit_message)
gc=c.join_group(co2.ratchet_tree, co2.welcome_message).group
app=gc.encrypt_application_message(b"hello from mls-rs"); assert gb.process_incoming_message(app).data==b"hello from mls-rs"
empty=gb.commit(); [g.process_incoming_message(empty.commit_message) for g in (ga,gb,gc)]
rm=ga.remove_members([b.signing_identity()]); ga.process_incoming_message(rm.commit_message); gc.process_incoming_message(rm.commit_message)
out={k:v.to_bytes().hex() for k,v in dict(key_package=kpb, welcome=co.welcome_message, add_commit=co.commit_message,
     add_proposal_message=prop, by_ref_commit=co2.commit_message, welcome2=co2.welcome_message, application=app,
     empty_path_commit=empty.commit_message, remove_commit=rm.commit_message).items()}
out['ratchet_tree_for_welcome']=co.ratchet_tree.bytes.hex(); out['ratchet_tree_for_welcome2']=co2.ratchet_tree.bytes.hex()
out['ratchet_tree_final']=ga.export_tree().bytes.hex()
out['exporter_final_label_x_ctx_empty_32']=ga.export_secret(b"x",b"",32).hex()
json.dump(out, open('mlsrs-vectors.json','w'), indent=1)
# slices for the bare structs
def commit_struct(msg):
    b=bytes.fromhex(msg); r=tls.R(b); r.u(2); r.u(2); r.vec(); r.u(8); st=r.u(1); r.u(4); r.vec(); assert r.u(1)==3
    s=r.i; v=tls.R(r.vec()); 
    if r.u(1): tls.leaf(r); r.vec()
    return b[s:r.i].hex()
def proposal_struct(msg):
    b=bytes.fromhex(msg); r=tls.R(b); r.u(2); r.u(2); r.vec(); r.u(8); r.u(1); r.u(4); r.vec(); assert r.u(1)==2
    pt=r.u(2); s=r.i; tls.skip_proposal(r,pt); return b[s:r.i].hex()
def remove_struct(msg):
    b=bytes.fromhex(msg); r=tls.R(b); r.u(2); r.u(2); r.vec(); r.u(8); r.u(1); r.u(4); r.vec(); r.u(1)
    v=tls.R(r.vec()); assert v.u(1)==1 and v.u(2)==3; return v.b[v.i:v.i+4].hex()
wg=json.load(open(os.path.join(ROOT, 'Tests/KalandraMLSTests/Vectors/messages.json')))[0]
e=dict(wg)
e.update(mls_welcome=out['welcome'], mls_key_package=out['key_package'], ratchet_tree=out['ratchet_tree_final'],
  add_proposal=proposal_struct(out['add_proposal_message']), remove_proposal=remove_struct(out['remove_commit']),
  commit=commit_struct(out['empty_path_commit']), public_message_proposal=out['add_proposal_message'],
  public_message_commit=out['remove_commit'], private_message=out['application'])
e2=dict(e, mls_welcome=out['welcome2'], ratchet_tree=out['ratchet_tree_for_welcome2'], commit=commit_struct(out['remove_commit']),
  public_message_commit=out['add_commit'])
e3=dict(e, ratchet_tree=out['ratchet_tree_for_welcome'], commit=commit_struct(out['add_commit']), public_message_commit=out['empty_path_commit'])
e4=dict(e, commit=commit_struct(out['by_ref_commit']), public_message_commit=out['by_ref_commit'])
json.dump([e,e2,e3,e4], open('mlsrs-messages.json','w'), indent=1)
print({k:len(v)//2 for k,v in out.items()})
