/// The message a leaf node arrived in (RFC 9420 §7.3), which decides the source it must have, the leaf its signature
/// is bound to, and the leaf it replaces.
public enum LeafNodeRole: Sendable, Equatable {
    /// In a KeyPackage (downloaded, or in an Add): source `key_package`, bound to no group, replacing no leaf.
    case keyPackage
    /// In an Update proposal from the member at this leaf: source `update`, replacing that leaf's node.
    case update(LeafIndex)
    /// In the UpdatePath of a commit whose committer sits at this leaf (for an external commit, the leaf the joiner
    /// takes): source `commit`, replacing that leaf's node if there is one.
    case commit(LeafIndex)

    /// The leaf whose node this one replaces (or, for an external commit, takes), nil for a KeyPackage.
    public var leaf: LeafIndex? {
        switch self {
        case .keyPackage: nil
        case .update(let leaf), .commit(let leaf): leaf
        }
    }

    /// Whether `source` is the one this role requires.
    func allows(_ source: LeafNodeSource) -> Bool {
        switch (self, source) {
        case (.keyPackage, .keyPackage), (.update, .update), (.commit, .commit): true
        default: false
        }
    }

    /// The name of the role, for error contexts.
    var name: String {
        switch self {
        case .keyPackage: "KeyPackage leaf node"
        case .update(let leaf): "Update leaf node for \(leaf)"
        case .commit(let leaf): "UpdatePath leaf node for \(leaf)"
        }
    }
}
