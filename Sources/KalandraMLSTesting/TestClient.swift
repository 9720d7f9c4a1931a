import KalandraCore
import KalandraCrypto
import KalandraMLS

/// A client for tests that need real MLS groups (the group engine's tests, the data plane's): a signature key and a
/// credential, able to make KeyPackages and hold one group.
public struct TestClient {
    public let name: String
    public let provider: any CipherSuiteProvider
    public let signatureKeys: SignatureKeyPair
    public var group: MLSGroup?
    /// Private keys of KeyPackages handed out, by reference.
    public var keyPackageKeys:
        [KeyPackageRef: (initKey: HPKEPrivateKey, leafKey: HPKEPrivateKey, keyPackage: KeyPackage)] =
            [:]

    public init(_ name: String, provider: any CipherSuiteProvider, using generator: inout some RandomNumberGenerator) {
        self.init(name, provider: provider, signatureKeys: provider.generateSignatureKeyPair(using: &generator))
    }

    public init(_ name: String, provider: any CipherSuiteProvider, signatureKeys: SignatureKeyPair) {
        self.name = name
        self.provider = provider
        self.signatureKeys = signatureKeys
    }

    public var credential: Credential { .basic(identity: Array(name.utf8)) }

    /// A leaf node of source `key_package` with a fresh encryption key.
    public func leafNode(using generator: inout some RandomNumberGenerator) throws -> (LeafNode, HPKEPrivateKey) {
        try LeafNode.generate(
            credential: credential,
            signaturePrivateKey: signatureKeys.privateKey,
            capabilities: Capabilities(
                versions: [.mls10],
                cipherSuites: [provider.cipherSuite],
                extensions: [],
                proposals: [],
                credentials: [.basic]
            ),
            lifetime: Lifetime(notBeforeSeconds: 0, notAfterSeconds: .max),
            provider: provider,
            using: &generator
        )
    }

    /// A signed KeyPackage (§10) whose private keys this client keeps.
    public mutating func keyPackage(using generator: inout some RandomNumberGenerator) throws -> KeyPackage {
        let (leaf, leafKey) = try leafNode(using: &generator)
        let initKeys = try provider.generateHPKEKeyPair(using: &generator)
        let keyPackage = try KeyPackage.signed(
            initKey: initKeys.publicKey,
            leafNode: leaf,
            extensions: [],
            signaturePrivateKey: signatureKeys.privateKey,
            provider: provider
        )
        keyPackageKeys[keyPackage.reference(provider: provider)] = (initKeys.privateKey, leafKey, keyPackage)
        return keyPackage
    }

    /// Creates a group of one.
    public mutating func createGroup(
        _ groupID: String,
        extensions: [Extension] = [],
        configuration: GroupConfiguration = .default,
        using generator: inout some RandomNumberGenerator
    ) throws {
        let (leaf, leafKey) = try leafNode(using: &generator)
        group = try MLSGroup.create(
            groupID: Array(groupID.utf8),
            leafNode: leaf,
            leafPrivateKey: leafKey,
            signaturePrivateKey: signatureKeys.privateKey,
            extensions: extensions,
            provider: provider,
            configuration: configuration,
            using: &generator
        )
    }

    /// Joins through `welcome` with whichever of this client's KeyPackages it names.
    public mutating func join(
        _ welcome: Welcome,
        ratchetTree: RatchetTree? = nil,
        psks: PreSharedKeyStore = .empty,
        configuration: GroupConfiguration = .default
    ) throws {
        let keys = keyPackageKeys
        guard let entry = welcome.secrets.lazy.compactMap({ keys[$0.newMember] }).first else {
            throw MLSError(.keyPackageNotInWelcome)
        }
        group = try MLSGroup.join(
            welcome: welcome,
            keyPackage: entry.keyPackage,
            initPrivateKey: entry.initKey,
            leafPrivateKey: entry.leafKey,
            signaturePrivateKey: signatureKeys.privateKey,
            ratchetTree: ratchetTree,
            psks: psks,
            configuration: configuration
        )
    }

    /// Clients named `names` in one group: the first creates it (with `extensions`) and adds the others in one
    /// commit, which they join by its Welcome. Suite 1; keys from a generator seeded with `seed`, returned for more.
    public static func group(
        _ names: [String],
        seed: UInt64,
        extensions: [Extension] = [],
        configuration: GroupConfiguration = .default
    ) throws -> (clients: [TestClient], generator: DeterministicGenerator) {
        var generator = DeterministicGenerator(seed: seed)
        let provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
        var clients = names.map { TestClient($0, provider: provider, using: &generator) }
        try clients[0].createGroup(names[0], extensions: extensions, configuration: configuration, using: &generator)
        guard clients.count > 1 else { return (clients, generator) }
        var adds: [Proposal] = []
        for index in clients.indices.dropFirst() {
            adds.append(.add(AddProposal(keyPackage: try clients[index].keyPackage(using: &generator))))
        }
        let output = try clients[0].group!.commit(CommitOptions(proposals: adds), using: &generator)
        try clients[0].group!.confirmPendingCommit()
        guard let welcome = output.welcome else {
            throw MLSError(.invalidValue("the commit adding members made no Welcome"))
        }
        for index in clients.indices.dropFirst() {
            try clients[index].join(welcome, configuration: configuration)
        }
        return (clients, generator)
    }

    /// Processes `message` and merges it when it is a commit; returns what it carried.
    @discardableResult
    public mutating func receive(_ message: MLSMessage, psks: PreSharedKeyStore = .empty) throws -> ProcessedMessage {
        guard var group else { throw MLSError(.groupInactive) }
        // Through the wire encoding, as a peer would receive it.
        let processed = try group.process(MLSMessage.decode(message.encoded()), psks: psks)
        if case .commit(let staged) = processed.content { try group.merge(staged) }
        self.group = group
        return processed
    }
}

extension SecretBytes {
    /// The bytes, for comparisons in tests.
    public var testBytes: [UInt8] { withUnsafeBytes { Array($0) } }
}
