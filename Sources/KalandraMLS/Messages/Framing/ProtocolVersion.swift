/// `uint16 ProtocolVersion` (RFC 9420 §6): the MLS version. Any code point can be carried (a KeyPackage or a
/// Capabilities list may name versions this implementation does not speak); only `mls10` is spoken.
public struct ProtocolVersion: RawRepresentable, Hashable, Sendable, TLSCodable, CustomStringConvertible {
    /// The code point.
    public let rawValue: UInt16

    /// The version with code point `rawValue`.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `mls10(1)`: MLS 1.0, RFC 9420.
    public static let mls10 = ProtocolVersion(rawValue: 1)

    /// Reads the `uint16` code point.
    public init(from reader: inout TLSReader) throws(MLSError) { rawValue = try reader.readUInt16() }

    /// Writes the `uint16` code point.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt16(rawValue) }

    /// "mls10" for MLS 1.0, else the number.
    public var description: String { self == .mls10 ? "mls10" : "version \(rawValue)" }
}
