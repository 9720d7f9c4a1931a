/// `enum { application(1), proposal(2), commit(3) } ContentType` (RFC 9420 §6). The type selects the content that
/// follows, so any other value makes a message undecodable and is refused.
public enum ContentType: UInt8, Sendable, TLSCodable, CustomStringConvertible {
    /// Application data.
    case application = 1
    /// A proposal.
    case proposal = 2
    /// A commit.
    case commit = 3

    /// Reads the `uint8` code point, refusing values other than 1, 2 and 3.
    public init(from reader: inout TLSReader) throws(MLSError) {
        self = try reader.readCodePoint(ContentType.self, named: "content type")
    }

    /// Writes the `uint8` code point.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt8(rawValue) }

    /// The RFC's name for the type.
    public var description: String {
        switch self {
        case .application: "application"
        case .proposal: "proposal"
        case .commit: "commit"
        }
    }
}
