/// `struct { uint64 not_before; uint64 not_after; } Lifetime` (RFC 9420 §7.2): when a KeyPackage's leaf node is
/// valid, in seconds since the Unix epoch.
public struct Lifetime: Sendable, Equatable, TLSCodable {
    /// `uint64 not_before`, seconds since the Unix epoch.
    public var notBeforeSeconds: UInt64
    /// `uint64 not_after`, seconds since the Unix epoch.
    public var notAfterSeconds: UInt64

    /// A lifetime from its bounds.
    public init(notBeforeSeconds: UInt64, notAfterSeconds: UInt64) {
        self.notBeforeSeconds = notBeforeSeconds
        self.notAfterSeconds = notAfterSeconds
    }

    /// Reads the two bounds.
    public init(from reader: inout TLSReader) throws(MLSError) {
        notBeforeSeconds = try reader.readUInt64()
        notAfterSeconds = try reader.readUInt64()
    }

    /// Writes the two bounds.
    public func encode(to writer: inout TLSWriter) {
        writer.writeUInt64(notBeforeSeconds)
        writer.writeUInt64(notAfterSeconds)
    }
}
