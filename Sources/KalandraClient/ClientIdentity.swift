import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS

/// A client's long-term identity: its MLS credential and signature key pair, which also signs its frames.
public struct ClientIdentity: Sendable {
    public let name: String
    public let provider: any CipherSuiteProvider
    public let signatureKeys: SignatureKeyPair
    /// The frame signing key: for Ed25519 suites the MLS signature private key is the Ed25519 seed.
    public let signingKey: SigningKey
    /// The sender ID of this client's frames (`SenderID(signatureKey:)`).
    public let senderID: SenderID

    public var credential: Credential { .basic(identity: Array(name.utf8)) }

    /// A new identity with keys from `generator`, in cipher suite 1.
    public init(name: String, using generator: inout some RandomNumberGenerator) throws(RoomClientError) {
        do {
            let provider = try CipherSuite.x25519Aes128GcmSha256Ed25519.provider()
            let keys = provider.generateSignatureKeyPair(using: &generator)
            self.name = name
            self.provider = provider
            self.signatureKeys = keys
            self.signingKey = try SenderKeyEpoch.signingKey(for: keys.privateKey)
            self.senderID = SenderID(signatureKey: keys.publicKey.bytes)
        } catch {
            throw .mls("\(error)")
        }
    }

    /// The capabilities of this client's leaves.
    var capabilities: Capabilities {
        Capabilities(
            versions: [.mls10],
            cipherSuites: [provider.cipherSuite],
            extensions: [],
            proposals: [],
            credentials: [.basic]
        )
    }
}
