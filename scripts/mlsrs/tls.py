# minimal RFC 9420 decoder for checking mls-rs output
class R:
    def __init__(s,b): s.b=b; s.i=0
    def u(s,n): v=int.from_bytes(s.b[s.i:s.i+n],'big'); s.i+=n; return v
    def raw(s,n): v=s.b[s.i:s.i+n]; s.i+=n; return v
    def varint(s):
        f=s.b[s.i]>>6
        if f==0: return s.u(1)&0x3f
        if f==1: return s.u(2)&0x3fff
        if f==2: return s.u(4)&0x3fffffff
        raise ValueError("bad varint")
    def vec(s): n=s.varint(); return s.raw(n)
    def left(s): return len(s.b)-s.i
def caps(r):
    c=r; out={}
    for name,w in [('versions',2),('cipher_suites',2),('extensions',2),('proposals',2),('credentials',2)]:
        v=R(c.vec()); out[name]=[v.u(w) for _ in range(v.left()//w)]
    return out
def exts(r):
    v=R(r.vec()); out=[]
    while v.left(): t=v.u(2); d=v.vec(); out.append((t,len(d)))
    return out
def leaf(r):
    d={}
    d['enc_key']=len(r.vec()); d['sig_key']=len(r.vec())
    ct=r.u(2); d['cred_type']=ct; d['identity']=r.vec() if ct==1 else None
    d['caps']=caps(r); src=r.u(1); d['source']=src
    if src==1: d['lifetime']=(r.u(8),r.u(8))
    elif src==3: d['parent_hash']=len(r.vec())
    d['exts']=exts(r); d['sig']=len(r.vec()); return d
def mlsmsg(b):
    r=R(b); ver=r.u(2); wf=r.u(2); d={'version':ver,'wire_format':wf}
    if wf==5:
        d['kp_version']=r.u(2); d['suite']=r.u(2); d['init_key']=len(r.vec()); d['leaf']=leaf(r); d['kp_exts']=exts(r); d['sig']=len(r.vec())
    elif wf==1:
        d['group_id']=r.vec(); d['epoch']=r.u(8); st=r.u(1); d['sender_type']=st
        if st in (1,2): d['sender_index']=r.u(4)
        d['authenticated_data']=len(r.vec()); ctype=r.u(1); d['content_type']=ctype
        if ctype==3:
            c=R(r.vec()); props=[]
            while c.left():
                t=c.u(1)
                if t==1: pt=c.u(2); props.append(('value',pt)); skip_proposal(c,pt)
                else: props.append(('ref',len(c.vec())))
            d['proposals']=props
            has=r.u(1); d['has_path']=bool(has)
            if has: d['path_leaf']=leaf(r); n=R(r.vec()); d['path_nodes']='%d bytes'%n.left()
        elif ctype==2:
            pt=r.u(2); d['proposal_type']=pt; skip_proposal(r,pt)
        d['signature']=len(r.vec())
        if ctype in (2,3): d['confirmation_tag']=len(r.vec()) if ctype==3 else None
        if st==1: d['membership_tag']=len(r.vec())
        d['trailing']=r.left()
    elif wf==2:
        d['group_id']=r.vec(); d['epoch']=r.u(8); d['content_type']=r.u(1); d['aad']=len(r.vec()); d['enc_sender_data']=len(r.vec()); d['ciphertext']=len(r.vec()); d['trailing']=r.left()
    elif wf==3:
        d['suite']=r.u(2); v=R(r.vec()); n=0
        while v.left(): v.vec(); v.vec(); v.vec(); n+=1
        d['secrets']=n; d['encrypted_group_info']=len(r.vec()); d['trailing']=r.left()
    elif wf==4:
        d['rest']=r.left()
    return d
def skip_proposal(c,pt):
    if pt==1: # add: KeyPackage
        c.u(2); c.u(2); c.vec(); leaf(c); exts(c); c.vec()
    elif pt==3: c.u(4)
    elif pt==2: leaf(c)
    else: raise ValueError("proposal type %d not handled"%pt)
def tree(b):
    r=R(b); v=R(r.vec()); nodes=[]
    while v.left():
        p=v.u(1)
        if not p: nodes.append(None); continue
        t=v.u(1)
        if t==1: nodes.append(('leaf',leaf(v)['identity']))
        else: v.vec(); v.vec(); vv=R(v.vec()); nodes.append(('parent',vv.left()//4))
    return nodes, r.left()
