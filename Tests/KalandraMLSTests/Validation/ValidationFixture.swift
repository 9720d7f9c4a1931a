import KalandraCore
import KalandraCrypto
import KalandraMLS

/// A group for validation tests: suite 1, seeded keys, members at leaves 0..<memberCount whose leaf nodes come from
/// real KeyPackages, and a group context matching the tree. Clients outside the group are made the same way.
struct ValidationFixture {
    /// The time the tests validate at, inside `lifetime`.
    static let nowSeconds: UInt64 = 1_800_000_000
    /// The lifetime of every KeyPackage made here.
    static let lifetime = Lifetime(notBeforeSeconds: nowSeconds - 3_600, notAfterSeconds: nowSeconds + 86_400)
    /// A non-default extension type for capability tests.
    static let customExtension = ExtensionType(rawValue: 0xFF01)
    /// A non-default proposal type for capability tests.
    static let customProposal = ProposalType(rawValue: 0xFF02)

    let provider: any CipherSuiteProvider
    let groupID = Array("validation group".utf8)
    var generator: DeterministicGenerator
    /// The signature keys of the members, by leaf.
    var memberKeys: [SignatureKeyPair] = []
    var tree: RatchetTreeState
    var groupContext: GroupContext

    /// Capabilities for suite 1 and `mls10`, listing `extensions`, `proposals` and `credentials`.
    static func capabilities(
        extensions: [ExtensionType] = [],
        proposals: [ProposalType] = [],
        credentials: [CredentialType] = [.basic]
    ) -> Capabilities {
        Capabilities(
            versions: [.mls10],
            cipherSuites: [.x25519Aes128GcmSha256Ed25519],
            extensions: extensions,
            proposals: proposals,
            credentials: credentials
        )
    }

    /// A group of `memberCount` members; member `i` has `capabilities(i)` and `credential(i)`, and the group context
    /// carries `groupExtensions`.
    init(
        memberCount: Int = 4,
        capabilities: (Int) -> Capabilities = { _ in ValidationFixture.capabilities() },
        credential: (Int) -> Credential = { .basic(identity: Array("member \($0)".utf8)) },
        groupExtensions: [Extension] = [],
        seed: UInt64 = 9420
    ) throws {
        provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
        generator = DeterministicGenerator(seed: seed)
        var leafNodes: [LeafNode] = []
        for index in 0..<memberCount {
            let keys = provider.generateSignatureKeyPair(using: &generator)
            let bundle = try KeyPackageBundle.generate(
                credential: credential(index),
                signaturePrivateKey: keys.privateKey,
                provider: provider,
                lifetime: Self.lifetime,
                capabilities: capabilities(index),
                leafExtensions: [],
                extensions: [],
                using: &generator
            )
            memberKeys.append(keys)
            leafNodes.append(bundle.keyPackage.leafNode)
        }
        tree = RatchetTreeState(founder: leafNodes[0], provider: provider)
        for leafNode in leafNodes.dropFirst() { try tree.add(leafNode) }
        groupContext = GroupContext(
            cipherSuite: provider.cipherSuite,
            groupID: groupID,
            epoch: 1,
            treeHash: tree.treeHash,
            confirmedTranscriptHash: [],
            extensions: groupExtensions
        )
    }

    /// A new client outside the group: its signature keys and a fresh KeyPackage bundle.
    mutating func client(
        capabilities: Capabilities = ValidationFixture.capabilities(),
        credential: Credential = .basic(identity: Array("newcomer".utf8)),
        leafExtensions: [Extension] = [],
        extensions: [Extension] = []
    ) throws -> (keys: SignatureKeyPair, bundle: KeyPackageBundle) {
        let keys = provider.generateSignatureKeyPair(using: &generator)
        let bundle = try KeyPackageBundle.generate(
            credential: credential,
            signaturePrivateKey: keys.privateKey,
            provider: provider,
            lifetime: Self.lifetime,
            capabilities: capabilities,
            leafExtensions: leafExtensions,
            extensions: extensions,
            using: &generator
        )
        return (keys, bundle)
    }

    /// A new client's KeyPackage.
    mutating func keyPackage(
        capabilities: Capabilities = ValidationFixture.capabilities(),
        credential: Credential = .basic(identity: Array("newcomer".utf8))
    ) throws -> KeyPackage {
        try client(capabilities: capabilities, credential: credential).bundle.keyPackage
    }

    /// `keyPackage` after `changeLeaf` and `changePackage`, with the leaf node and the KeyPackage signed again with
    /// `keys`, so that only the changed rule can fail.
    func resigned(
        _ keyPackage: KeyPackage,
        keys: SignatureKeyPair,
        leaf changeLeaf: (inout LeafNode) -> Void = { _ in },
        package changePackage: (inout KeyPackage) -> Void = { _ in }
    ) throws -> KeyPackage {
        var changed = keyPackage
        changeLeaf(&changed.leafNode)
        try changed.leafNode.sign(
            groupID: [],
            leafIndex: LeafIndex(rawValue: 0)!,
            privateKey: keys.privateKey,
            provider: provider
        )
        changePackage(&changed)
        try changed.sign(privateKey: keys.privateKey, provider: provider)
        return changed
    }

    /// Member `leaf`'s leaf node for an Update: a fresh encryption key, source `update`, then `change`, signed by
    /// the member for `signedFor` (default: its own leaf) in this group.
    mutating func updateLeafNode(
        for leaf: LeafIndex,
        signedFor: LeafIndex? = nil,
        change: (inout LeafNode) -> Void = { _ in }
    ) throws -> LeafNode {
        guard var leafNode = tree.leafNode(at: leaf) else { throw MLSError(.invalidValue("fixture: blank leaf")) }
        leafNode.encryptionKey = try provider.generateHPKEKeyPair(using: &generator).publicKey
        leafNode.source = .update
        change(&leafNode)
        try leafNode.sign(
            groupID: groupID,
            leafIndex: signedFor ?? leaf,
            privateKey: memberKeys[Int(leaf.rawValue)].privateKey,
            provider: provider
        )
        return leafNode
    }

    /// A fresh HPKE public key.
    mutating func freshEncryptionKey() throws -> HPKEPublicKey {
        try provider.generateHPKEKeyPair(using: &generator).publicKey
    }
}

/// Leaf `value`; the tests only use small indices.
func leafIndex(_ value: UInt32) -> LeafIndex { LeafIndex(rawValue: value)! }
