/// `enum { external(1), resumption(2) } PSKType` (RFC 9420 §8.4). It selects what follows in a `PreSharedKeyID`,
/// so any other value is refused.
public enum PSKType: UInt8, Sendable, TLSCodable {
    /// A key agreed outside MLS.
    case external = 1
    /// A resumption secret of an earlier epoch.
    case resumption = 2

    /// Reads the `uint8` code point, refusing values other than 1 and 2.
    public init(from reader: inout TLSReader) throws(MLSError) {
        self = try reader.readCodePoint(PSKType.self, named: "PSK type")
    }

    /// Writes the `uint8` code point.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt8(rawValue) }
}
