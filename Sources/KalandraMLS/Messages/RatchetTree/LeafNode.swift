/// `LeafNode` (RFC 9420 §7.2): a member's leaf in the ratchet tree (or a KeyPackage's future leaf), signed by that
/// member. Decoding does not verify the signature.
public struct LeafNode: Sendable, Equatable, TLSCodable {
    /// The HPKE key the member decrypts with.
    public var encryptionKey: HPKEPublicKey
    /// The key the member signs with.
    public var signatureKey: SignaturePublicKey
    /// The member's identity.
    public var credential: Credential
    /// What the member's client supports.
    public var capabilities: Capabilities
    /// Where the leaf node came from, with what that selects.
    public var source: LeafNodeSource
    /// `Extension extensions<V>`.
    public var extensions: [Extension]
    /// `opaque signature<V>`: `SignWithLabel(., "LeafNodeTBS", LeafNodeTBS)`.
    public var signature: [UInt8]

    /// A leaf node from its fields.
    public init(
        encryptionKey: HPKEPublicKey,
        signatureKey: SignaturePublicKey,
        credential: Credential,
        capabilities: Capabilities,
        source: LeafNodeSource,
        extensions: [Extension],
        signature: [UInt8]
    ) {
        self.encryptionKey = encryptionKey
        self.signatureKey = signatureKey
        self.credential = credential
        self.capabilities = capabilities
        self.source = source
        self.extensions = extensions
        self.signature = signature
    }

    /// Reads the fields in RFC order.
    public init(from reader: inout TLSReader) throws(MLSError) {
        encryptionKey = try HPKEPublicKey(from: &reader)
        signatureKey = try SignaturePublicKey(from: &reader)
        credential = try Credential(from: &reader)
        capabilities = try Capabilities(from: &reader)
        source = try LeafNodeSource(from: &reader)
        extensions = try reader.readVector(of: Extension.self)
        signature = try reader.readOpaque()
    }

    /// Writes the fields in RFC order.
    public func encode(to writer: inout TLSWriter) {
        encryptionKey.encode(to: &writer)
        signatureKey.encode(to: &writer)
        credential.encode(to: &writer)
        capabilities.encode(to: &writer)
        source.encode(to: &writer)
        writer.writeVector(extensions)
        writer.writeOpaque(signature)
    }
}
