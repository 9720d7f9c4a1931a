/// `HashReference KeyPackageRef` (RFC 9420 §5.2), `opaque<V>`: `RefHash("MLS 1.0 KeyPackage Reference", KeyPackage)`.
public struct KeyPackageRef: Hashable, Sendable, TLSCodable {
    /// The hash, without the length prefix.
    public var bytes: [UInt8]

    /// The reference `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Reads `opaque<V>`.
    public init(from reader: inout TLSReader) throws(MLSError) { bytes = try reader.readOpaque() }

    /// Writes `opaque<V>`.
    public func encode(to writer: inout TLSWriter) { writer.writeOpaque(bytes) }
}
