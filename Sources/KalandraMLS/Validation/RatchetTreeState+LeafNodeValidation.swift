/// Leaf node validation for a group (RFC 9420 §7.3): a leaf node arriving in an Add's KeyPackage, an Update or an
/// UpdatePath, checked against the tree it will join and the group context's extensions.
extension RatchetTreeState {
    /// Throws the kind of the first §7.3 rule `leafNode` breaks as a leaf of this tree in `role`:
    /// - its own rules (source as `role` requires, capabilities listing `mls10`, the group's cipher suite, its
    ///   credential type and its extensions, no repeated extension type, lifetime including `nowSeconds` for a
    ///   `key_package` source, signature valid for `groupContext.groupID` and the role's leaf);
    /// - for an Update, the replaced leaf exists, and for an Update or UpdatePath the `encryption_key` changes;
    /// - it meets the group's `required_capabilities` and lists every non-default group context extension;
    /// - every other member supports its credential type and it supports every credential type another member uses;
    /// - its encryption key is on no other node and its signature key on no other leaf.
    ///
    /// "Other" means every leaf but the role's (for a KeyPackage, every leaf). Pass the tree the leaf node will join:
    /// for an UpdatePath, the tree after the commit's proposals were applied (§12.4.2). `nowSeconds` is Unix time
    /// from the caller (cores read no clock); nil skips the lifetime check, which §7.3 only recommends for received
    /// leaf nodes. Credentials themselves are the application's to check (§5.3.1).
    public func validateLeafNode(
        _ leafNode: LeafNode,
        as role: LeafNodeRole,
        groupContext: GroupContext,
        nowSeconds: UInt64?
    ) throws(MLSError) {
        try validateOwnRules(of: leafNode, as: role, groupContext: groupContext, nowSeconds: nowSeconds)
        let required = try RequiredCapabilities.find(in: groupContext.extensions)
        try TreeMemberSummary(self)
            .validate(
                leafNode,
                at: role.leaf,
                requiredCapabilities: required,
                groupExtensions: groupContext.extensions,
                name: role.name
            )
    }

    /// The §7.3 rules that need no other member: the leaf node's own, and that an Update replaces an existing leaf
    /// and an Update or UpdatePath changes its encryption key.
    func validateOwnRules(
        of leafNode: LeafNode,
        as role: LeafNodeRole,
        groupContext: GroupContext,
        nowSeconds: UInt64?
    ) throws(MLSError) {
        try leafNode.validateContents(
            as: role,
            groupID: groupContext.groupID,
            cipherSuite: groupContext.cipherSuite,
            provider: provider,
            nowSeconds: nowSeconds
        )
        let replaced = role.leaf.flatMap { self.leafNode(at: $0) }
        if case .update = role, replaced == nil {
            throw MLSError(.leafNodeReplacesBlankLeaf, context: role.name)
        }
        if let replaced, replaced.encryptionKey == leafNode.encryptionKey {
            throw MLSError(.leafNodeEncryptionKeyUnchanged, context: role.name)
        }
    }
}

/// What the §7.3 rules about other members need from a tree, gathered in one pass: key owners and credential type
/// counts. Validating k new leaf nodes against n members then costs O(n + k) rather than O(n·k); the tree is scanned
/// again only to name the member in an error.
struct TreeMemberSummary {
    /// The tree summarised.
    let tree: RatchetTreeState
    /// The first node holding each encryption key. A key held twice (only in a provisional tree whose proposals
    /// are being refused) also lists its holders in `sharedEncryptionKeys`, so the common case allocates no array.
    private var encryptionKeyNodes: [HPKEPublicKey: NodeIndex] = [:]
    private var sharedEncryptionKeys: [HPKEPublicKey: [NodeIndex]] = [:]
    /// The first leaf holding each signature key, and every holder of a key held twice.
    private var signatureKeyLeaves: [SignaturePublicKey: LeafIndex] = [:]
    private var sharedSignatureKeys: [SignaturePublicKey: [LeafIndex]] = [:]
    /// For each credential type, how many members' capabilities list it.
    private var supportingMemberCounts: [CredentialType: Int] = [:]
    /// For each credential type, how many members' credentials have it.
    private var usingMemberCounts: [CredentialType: Int] = [:]
    /// The number of non-blank leaves.
    private var memberCount = 0

    /// The summary of `tree`.
    init(_ tree: RatchetTreeState) {
        self.tree = tree
        encryptionKeyNodes.reserveCapacity(tree.nodes.count)
        signatureKeyLeaves.reserveCapacity(tree.nodes.count / 2 + 1)
        for position in tree.nodes.indices {
            let index = NodeIndex(UInt32(position))
            guard let key = tree.encryptionKey(at: index) else { continue }
            if let first = encryptionKeyNodes.updateValue(index, forKey: key) {
                encryptionKeyNodes[key] = first
                sharedEncryptionKeys[key, default: [first]].append(index)
            }
        }
        for leaf in tree.nonBlankLeaves {
            guard let member = tree.leafNode(at: leaf) else { continue }
            memberCount += 1
            if let first = signatureKeyLeaves.updateValue(leaf, forKey: member.signatureKey) {
                signatureKeyLeaves[member.signatureKey] = first
                sharedSignatureKeys[member.signatureKey, default: [first]].append(leaf)
            }
            let credentials = member.capabilities.credentials
            for (position, type) in credentials.enumerated() where !credentials[..<position].contains(type) {
                supportingMemberCounts[type, default: 0] += 1
            }
            usingMemberCounts[member.credential.credentialType, default: 0] += 1
        }
    }

    /// Throws the kind of the first rule `leafNode` breaks against every member but the one at `leaf`: it meets
    /// `requiredCapabilities`, lists every non-default type of `groupExtensions`, uses a credential type every other
    /// member supports, supports every credential type another member uses, and shares no key with another node.
    /// `name` says which leaf node it is, for the error's context.
    func validate(
        _ leafNode: LeafNode,
        at leaf: LeafIndex?,
        requiredCapabilities: RequiredCapabilities?,
        groupExtensions: [Extension],
        name: String
    ) throws(MLSError) {
        let capabilities = leafNode.capabilities
        if let unmet = requiredCapabilities?.firstUnmet(by: capabilities) {
            throw MLSError(.leafNodeLacksRequiredCapabilities, context: "\(name) lacks \(unmet)")
        }
        for type in groupExtensions.map(\.extensionType)
        where !type.isDefaultExtensionType && !capabilities.extensions.contains(type) {
            throw MLSError(.leafNodeLacksGroupExtension, context: "\(name) lacks extension type \(type.rawValue)")
        }
        let excluded = leaf.flatMap { tree.leafNode(at: $0) }
        let credentialType = leafNode.credential.credentialType
        let otherMembers = memberCount - (excluded == nil ? 0 : 1)
        let excludedSupports = excluded?.capabilities.credentials.contains(credentialType) == true ? 1 : 0
        if supportingMemberCounts[credentialType, default: 0] - excludedSupports < otherMembers {
            let member = firstMember(except: leaf) { !$0.capabilities.credentials.contains(credentialType) }
            throw MLSError(
                .leafNodeCredentialUnsupportedByMember,
                context: "\(name), credential type \(credentialType.rawValue), \(member.map(\.description) ?? "?")"
            )
        }
        for (type, count) in usingMemberCounts.sorted(by: { $0.key.rawValue < $1.key.rawValue })
        where !capabilities.credentials.contains(type) {
            let excludedUses = excluded?.credential.credentialType == type ? 1 : 0
            guard count - excludedUses == 0 else {
                throw MLSError(.leafNodeLacksMemberCredentialType, context: "\(name) lacks \(type.rawValue)")
            }
        }
        let keyHolders =
            sharedEncryptionKeys[leafNode.encryptionKey] ?? encryptionKeyNodes[leafNode.encryptionKey].map { [$0] }
            ?? []
        if let holder = keyHolders.first(where: { $0 != leaf?.nodeIndex }) {
            throw MLSError(.leafNodeEncryptionKeyInUse, context: "\(name) has the key of \(holder)")
        }
        let signers =
            sharedSignatureKeys[leafNode.signatureKey] ?? signatureKeyLeaves[leafNode.signatureKey].map { [$0] } ?? []
        if let signer = signers.first(where: { $0 != leaf }) {
            throw MLSError(.leafNodeSignatureKeyInUse, context: "\(name) has the key of \(signer)")
        }
    }

    /// The first member other than `leaf` whose leaf node matches `predicate`; a linear scan, for error contexts.
    func firstMember(except leaf: LeafIndex?, where predicate: (LeafNode) -> Bool) -> LeafIndex? {
        tree.nonBlankLeaves.first { candidate in
            guard candidate != leaf, let member = tree.leafNode(at: candidate) else { return false }
            return predicate(member)
        }
    }
}
