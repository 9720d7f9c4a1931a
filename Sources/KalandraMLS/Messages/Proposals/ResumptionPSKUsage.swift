/// `enum { application(1), reinit(2), branch(3) } ResumptionPSKUsage` (RFC 9420 §8.4). The enum has no extension
/// registry, so any other value (including `reserved(0)`) is refused.
public enum ResumptionPSKUsage: UInt8, Sendable, TLSCodable {
    /// Resumption within the application's use of the group.
    case application = 1
    /// Resumption into a group reinitialised by a ReInit proposal (§11.2).
    case reInit = 2
    /// Resumption into a subgroup branched from the group (§11.3).
    case branch = 3

    /// Reads the `uint8` code point, refusing values outside 1...3.
    public init(from reader: inout TLSReader) throws(MLSError) {
        self = try reader.readCodePoint(ResumptionPSKUsage.self, named: "resumption PSK usage")
    }

    /// Writes the `uint8` code point.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt8(rawValue) }
}
