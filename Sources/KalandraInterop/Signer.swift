import KalandraCrypto
import KalandraMLS

/// A basic credential and its signature key pair in one cipher suite: what a client needs to make leaf nodes and
/// KeyPackages, and what an external sender signs proposals with.
struct Signer: Sendable {
    /// The credential's identity; the runner names members by it (`removed_id`).
    let identity: [UInt8]
    /// The signature key pair.
    let keys: SignatureKeyPair
    /// The suite's algorithms.
    let provider: any CipherSuiteProvider

    /// A signer with a fresh key pair in `cipherSuite`.
    init(identity: [UInt8], cipherSuite: UInt32, using generator: inout some RandomNumberGenerator) throws {
        let provider = try InteropClient.cipherSuite(cipherSuite).provider()
        self.init(identity: identity, keys: provider.generateSignatureKeyPair(using: &generator), provider: provider)
    }

    /// A signer from its parts.
    init(identity: [UInt8], keys: SignatureKeyPair, provider: any CipherSuiteProvider) {
        self.identity = identity
        self.keys = keys
        self.provider = provider
    }

    /// The same credential and key in `cipherSuite`. Both suites this engine has sign with Ed25519, so the key
    /// carries over; a suite of another signature scheme would need a new key, which the engine's `reinitialize`
    /// cannot take yet (it signs the successor's leaf with the old group's key).
    func inSuite(_ cipherSuite: CipherSuite) throws -> Signer {
        let provider = try cipherSuite.provider()
        guard try provider.signaturePublicKey(for: keys.privateKey) == keys.publicKey else {
            throw InteropError.notSupported(
                "a ReInit to a suite with another signature scheme needs a new signature key"
            )
        }
        return Signer(identity: identity, keys: keys, provider: provider)
    }

    /// The basic credential.
    var credential: Credential { .basic(identity: identity) }

    /// What our leaves support: both suites, MLS 1.0, basic credentials, and the default extensions and proposals.
    static let capabilities = Capabilities(
        versions: [.mls10],
        cipherSuites: CipherSuite.supported,
        extensions: [],
        proposals: [],
        credentials: [.basic]
    )

    /// Lifetimes are not what the interop tests exercise, and runs must not depend on the clock.
    static let lifetime = Lifetime(notBeforeSeconds: 0, notAfterSeconds: .max)

    /// A leaf node of source `key_package` with a fresh encryption key, and that key's private half.
    func leafNode(using generator: inout some RandomNumberGenerator) throws -> (LeafNode, HPKEPrivateKey) {
        try LeafNode.generate(
            credential: credential,
            signaturePrivateKey: keys.privateKey,
            capabilities: Self.capabilities,
            lifetime: Self.lifetime,
            provider: provider,
            using: &generator
        )
    }

    /// A signed and validated KeyPackage (§10) and its private keys.
    func keyPackage(using generator: inout some RandomNumberGenerator) throws -> KeyPackageSecrets {
        let bundle = try KeyPackageBundle.generate(
            credential: credential,
            signaturePrivateKey: keys.privateKey,
            provider: provider,
            lifetime: Self.lifetime,
            capabilities: Self.capabilities,
            leafExtensions: [],
            extensions: [],
            using: &generator
        )
        return KeyPackageSecrets(bundle: bundle, signer: self)
    }
}

/// A KeyPackage with the private keys its owner needs to join through a Welcome, and its owner's signer.
struct KeyPackageSecrets: Sendable {
    let bundle: KeyPackageBundle
    let signer: Signer

    var keyPackage: KeyPackage { bundle.keyPackage }
    var initPrivateKey: HPKEPrivateKey { bundle.initPrivateKey }
    var leafPrivateKey: HPKEPrivateKey { bundle.encryptionPrivateKey }
}
