/// `struct { Extension extensions<V>; } GroupContextExtensions` (RFC 9420 §12.1.7): replace the group context's
/// extensions.
public struct GroupContextExtensionsProposal: Sendable, Equatable, TLSCodable {
    /// The new extensions.
    public var extensions: [Extension]

    /// A proposal to set the group context's extensions to `extensions`.
    public init(extensions: [Extension]) { self.extensions = extensions }

    /// Reads `Extension extensions<V>`.
    public init(from reader: inout TLSReader) throws(MLSError) {
        extensions = try reader.readVector(of: Extension.self)
    }

    /// Writes `Extension extensions<V>`.
    public func encode(to writer: inout TLSWriter) { writer.writeVector(extensions) }
}
