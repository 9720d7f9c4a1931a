/// Why a vector file could not be run at all (as opposed to an entry failing its checks).
public enum VectorFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The file is larger than the limit; it is refused before it is parsed.
    case tooLarge(limit: Int)
    /// The content is not well-formed JSON.
    case malformedJSON(String)
    /// The content is JSON but not an array of entries of exactly one known format.
    case unrecognisedFormat(String)

    /// The problem in words a user can act on.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .tooLarge(let limit): "file is larger than the limit of \(limit) bytes"
        case .malformedJSON(let reason): "malformed JSON: \(reason)"
        case .unrecognisedFormat(let reason): "unrecognised format: \(reason)"
        }
    }
}
