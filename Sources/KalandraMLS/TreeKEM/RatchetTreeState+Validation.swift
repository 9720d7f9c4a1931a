/// A rule of ratchet tree validation (RFC 9420 §12.4.3.1, §7.3, §7.9.2) that a tree breaks, with where.
public enum RatchetTreeViolation: Sendable, Equatable, CustomStringConvertible {
    /// The root tree hash differs from the one the group agreed on (GroupInfo `tree_hash`, §12.4.3.1).
    case treeHashMismatch
    /// A non-blank parent node is the parent-hash target of `validDescendants` nodes instead of exactly one
    /// (§7.9.2).
    case parentHashInvalid(parent: NodeIndex, validDescendants: Int)
    /// A leaf node's signature does not verify (§7.3).
    case leafSignatureInvalid(LeafIndex)
    /// A leaf node carries an extension its capabilities do not list (§7.3).
    case leafExtensionNotInCapabilities(LeafIndex, ExtensionType)
    /// A leaf node's credential type is not in its own capabilities (§7.2).
    case leafCredentialNotInCapabilities(LeafIndex, CredentialType)
    /// A parent's unmerged leaves are not in strictly increasing order (§7.1); checked first, so the other rules
    /// can search the lists in logarithmic time and a hostile list cannot cost quadratic time.
    case unmergedLeavesNotSorted(parent: NodeIndex)
    /// A parent's unmerged leaf is outside its subtree or outside the tree (§12.4.3.1).
    case unmergedLeafNotDescendant(parent: NodeIndex, leaf: LeafIndex)
    /// A parent's unmerged leaf is blank (§12.4.3.1).
    case unmergedLeafBlank(parent: NodeIndex, leaf: LeafIndex)
    /// A non-blank parent between an unmerged leaf and the parent listing it does not list it too (§12.4.3.1).
    case unmergedLeafMissingBelow(parent: NodeIndex, intermediate: NodeIndex, leaf: LeafIndex)
    /// Two nodes share an HPKE encryption key (§7.3, §12.4.3.1).
    case duplicateEncryptionKey(NodeIndex, NodeIndex)
    /// Two leaves share a signature key (§7.3).
    case duplicateSignatureKey(LeafIndex, LeafIndex)
    /// A leaf that came from a KeyPackage is outside its lifetime at the time given to validation (§7.3).
    case leafLifetimeExpired(LeafIndex)

    /// The rule in words, with where it was broken.
    public var description: String {
        switch self {
        case .treeHashMismatch: "the tree hash does not match the group's (§12.4.3.1)"
        case .parentHashInvalid(let parent, let count):
            "\(parent) is parent-hash valid for \(count) descendants, not exactly one (§7.9.2)"
        case .leafSignatureInvalid(let leaf): "the signature of \(leaf) does not verify (§7.3)"
        case .leafExtensionNotInCapabilities(let leaf, let type):
            "\(leaf) carries extension \(type.rawValue), which its capabilities do not list (§7.3)"
        case .leafCredentialNotInCapabilities(let leaf, let type):
            "\(leaf) has credential type \(type.rawValue), which its capabilities do not list (§7.2)"
        case .unmergedLeavesNotSorted(let parent):
            "the unmerged leaves of \(parent) are not in strictly increasing order (§7.1)"
        case .unmergedLeafNotDescendant(let parent, let leaf):
            "\(parent) lists unmerged \(leaf), which is not below it (§12.4.3.1)"
        case .unmergedLeafBlank(let parent, let leaf):
            "\(parent) lists unmerged \(leaf), which is blank (§12.4.3.1)"
        case .unmergedLeafMissingBelow(let parent, let intermediate, let leaf):
            "\(parent) lists unmerged \(leaf) but \(intermediate) between them does not (§12.4.3.1)"
        case .duplicateEncryptionKey(let first, let second):
            "\(first) and \(second) have the same encryption key (§7.3)"
        case .leafLifetimeExpired(let leaf): "the lifetime of \(leaf) does not include the current time (§7.3)"
        case .duplicateSignatureKey(let first, let second):
            "\(first) and \(second) have the same signature key (§7.3)"
        }
    }
}

/// Tree validation when joining a group (RFC 9420 §12.4.3.1).
extension RatchetTreeState {
    /// The extension types every client supports, which capabilities need not list (§7.2).
    static let defaultExtensionTypes: Set<UInt16> = [1, 2, 3, 4, 5]

    /// The first rule of §12.4.3.1 the tree breaks, or nil when it is valid: the root tree hash equals `treeHash`
    /// (when given), every non-blank parent is parent-hash valid (§7.9.2), every unmerged leaf is a non-blank leaf
    /// below its parent and listed by every non-blank parent between them, every leaf node's signature verifies
    /// with `groupID` and its extensions and credential type are in its capabilities (§7.3), and encryption keys
    /// (all nodes) and signature keys (leaves) are unique. Credentials themselves are the application's to check.
    /// `nowSeconds` (Unix time, an input: cores read no clock) enables the lifetime check of leaves that came from
    /// KeyPackages; nil skips it (RFC 9420 §7.3 lets a joiner tolerate members whose KeyPackages have since expired).
    public func firstViolation(
        groupID: [UInt8],
        treeHash expectedTreeHash: [UInt8]? = nil,
        nowSeconds: UInt64? = nil
    ) -> RatchetTreeViolation? {
        if let expectedTreeHash, expectedTreeHash != treeHash { return .treeHashMismatch }
        if let violation = firstUnmergedLeafViolation() { return violation }
        if let violation = firstDuplicateKey() { return violation }
        if let violation = firstLeafViolation(groupID: groupID) { return violation }
        if let nowSeconds, let violation = firstExpiredLeaf(nowSeconds: nowSeconds) { return violation }
        if let invalid = parentHashViolations().first {
            return .parentHashInvalid(parent: invalid.parent, validDescendants: invalid.validDescendants)
        }
        return nil
    }

    /// Throws `invalidValue` naming the broken rule unless the tree passes `firstViolation(groupID:treeHash:)`.
    public func validate(
        groupID: [UInt8],
        treeHash expectedTreeHash: [UInt8]? = nil,
        nowSeconds: UInt64? = nil
    )
        throws(MLSError)
    {
        if let violation = firstViolation(groupID: groupID, treeHash: expectedTreeHash, nowSeconds: nowSeconds) {
            throw MLSError(.invalidValue(violation.description), context: "ratchet tree validation")
        }
    }

    /// The first leaf from a KeyPackage whose lifetime excludes `nowSeconds`.
    func firstExpiredLeaf(nowSeconds: UInt64) -> RatchetTreeViolation? {
        for leaf in nonBlankLeaves {
            guard let leafNode = leafNode(at: leaf), case .keyPackage(let lifetime) = leafNode.source else { continue }
            if nowSeconds < lifetime.notBeforeSeconds || nowSeconds > lifetime.notAfterSeconds {
                return .leafLifetimeExpired(leaf)
            }
        }
        return nil
    }

    /// The first leaf whose signature or capabilities break §7.3.
    func firstLeafViolation(groupID: [UInt8]) -> RatchetTreeViolation? {
        let leaves = nonBlankLeaves
        // The signatures, a verification per member, are checked on all cores; the verdicts are then read in leaf
        // order, so the first violation reported is the same as a serial check's.
        let tree = self
        let signaturesValid: [Bool] =
            (try? ParallelMap.map(count: leaves.count) { index throws(MLSError) -> Bool in
                guard let leafNode = tree.leafNode(at: leaves[index]) else { return true }
                do {
                    try leafNode.verifySignature(groupID: groupID, leafIndex: leaves[index], provider: tree.provider)
                    return true
                } catch {
                    return false
                }
            }) ?? []
        for (index, leaf) in leaves.enumerated() {
            guard let leafNode = leafNode(at: leaf) else { continue }
            guard signaturesValid[index] else { return .leafSignatureInvalid(leaf) }
            if let violation = capabilityViolation(of: leafNode, at: leaf) { return violation }
        }
        return nil
    }

    /// The first §7.2/§7.3 capability rule `leafNode`, placed at `leaf`, breaks: an extension (other than the
    /// default ones) that its capabilities do not list, or a credential type they do not list. Shared by tree
    /// validation and by merging a received UpdatePath (§12.4.2).
    func capabilityViolation(of leafNode: LeafNode, at leaf: LeafIndex) -> RatchetTreeViolation? {
        let listed = Set(leafNode.capabilities.extensions.map(\.rawValue))
        for type in leafNode.extensions.map(\.extensionType)
        where !Self.defaultExtensionTypes.contains(type.rawValue) && !listed.contains(type.rawValue) {
            return .leafExtensionNotInCapabilities(leaf, type)
        }
        let credentialType = leafNode.credential.credentialType
        guard leafNode.capabilities.credentials.contains(credentialType) else {
            return .leafCredentialNotInCapabilities(leaf, credentialType)
        }
        return nil
    }

    /// The first unmerged leaf entry that is outside its parent's subtree, blank, or missing from a non-blank parent
    /// between the leaf and the parent.
    func firstUnmergedLeafViolation() -> RatchetTreeViolation? {
        for position in stride(from: 1, to: nodes.count, by: 2) {
            let parent = NodeIndex(UInt32(position))
            guard let listing = parentNode(at: parent) else { continue }
            let leaves = listing.unmergedLeaves
            guard zip(leaves, leaves.dropFirst()).allSatisfy({ $0 < $1 }) else {
                return .unmergedLeavesNotSorted(parent: parent)
            }
        }
        for position in stride(from: 1, to: nodes.count, by: 2) {
            let parent = NodeIndex(UInt32(position))
            guard let listing = parentNode(at: parent) else { continue }
            for leaf in listing.unmergedLeaves {
                guard size.contains(leaf), covers(parent, leaf), leaf.nodeIndex != parent else {
                    return .unmergedLeafNotDescendant(parent: parent, leaf: leaf)
                }
                guard leafNode(at: leaf) != nil else { return .unmergedLeafBlank(parent: parent, leaf: leaf) }
                // The direct path runs leaf to root and passes `parent`; at most 31 steps.
                for intermediate in leaf.directPath(in: size) ?? [] {
                    if intermediate == parent { break }
                    if let between = parentNode(at: intermediate), !Self.sortedContains(between.unmergedLeaves, leaf) {
                        return .unmergedLeafMissingBelow(parent: parent, intermediate: intermediate, leaf: leaf)
                    }
                }
            }
        }
        return nil
    }

    /// Binary search in a list already checked to be strictly increasing.
    static func sortedContains(_ leaves: [LeafIndex], _ leaf: LeafIndex) -> Bool {
        var low = 0
        var high = leaves.count
        while low < high {
            let middle = (low + high) / 2
            if leaves[middle] < leaf { low = middle + 1 } else { high = middle }
        }
        return low < leaves.count && leaves[low] == leaf
    }

    /// The first pair of nodes sharing an encryption key, or of leaves sharing a signature key.
    func firstDuplicateKey() -> RatchetTreeViolation? {
        var encryptionKeys: [HPKEPublicKey: NodeIndex] = [:]
        var signatureKeys: [SignaturePublicKey: LeafIndex] = [:]
        for (position, node) in nodes.enumerated() {
            let index = NodeIndex(UInt32(position))
            let encryptionKey: HPKEPublicKey
            switch node {
            case .leaf(let leafNode):
                encryptionKey = leafNode.encryptionKey
                if let leaf = index.leafIndex {
                    if let earlier = signatureKeys.updateValue(leaf, forKey: leafNode.signatureKey) {
                        return .duplicateSignatureKey(earlier, leaf)
                    }
                }
            case .parent(let parentNode): encryptionKey = parentNode.encryptionKey
            case nil: continue
            }
            if let earlier = encryptionKeys.updateValue(index, forKey: encryptionKey) {
                return .duplicateEncryptionKey(earlier, index)
            }
        }
        return nil
    }
}
