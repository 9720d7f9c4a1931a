/// `KeyPackage` (RFC 9420 §10): a client's signed offer of keys for being added to a group. Decoding does not
/// validate it (§10.1).
public struct KeyPackage: Sendable, Equatable, TLSCodable {
    /// The protocol version the client will use.
    public var version: ProtocolVersion
    /// The cipher suite the client will use.
    public var cipherSuite: CipherSuite
    /// `HPKEPublicKey init_key`: the key a Welcome encrypts the group secrets to.
    public var initKey: HPKEPublicKey
    /// The leaf node the client will occupy (source `key_package`).
    public var leafNode: LeafNode
    /// `Extension extensions<V>`.
    public var extensions: [Extension]
    /// `opaque signature<V>`: `SignWithLabel(., "KeyPackageTBS", KeyPackageTBS)`.
    public var signature: [UInt8]

    /// A key package from its fields.
    public init(
        version: ProtocolVersion,
        cipherSuite: CipherSuite,
        initKey: HPKEPublicKey,
        leafNode: LeafNode,
        extensions: [Extension],
        signature: [UInt8]
    ) {
        self.version = version
        self.cipherSuite = cipherSuite
        self.initKey = initKey
        self.leafNode = leafNode
        self.extensions = extensions
        self.signature = signature
    }

    /// Reads the fields in RFC order.
    public init(from reader: inout TLSReader) throws(MLSError) {
        version = try ProtocolVersion(from: &reader)
        cipherSuite = try CipherSuite(from: &reader)
        initKey = try HPKEPublicKey(from: &reader)
        leafNode = try LeafNode(from: &reader)
        extensions = try reader.readVector(of: Extension.self)
        signature = try reader.readOpaque()
    }

    /// Writes the fields in RFC order.
    public func encode(to writer: inout TLSWriter) {
        version.encode(to: &writer)
        cipherSuite.encode(to: &writer)
        initKey.encode(to: &writer)
        leafNode.encode(to: &writer)
        writer.writeVector(extensions)
        writer.writeOpaque(signature)
    }
}
