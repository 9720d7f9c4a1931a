import KalandraCore

/// Why a notification key cache file was refused.
public enum NotificationKeyCacheError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file ends early: `needed` more bytes are required by its declared entry count.
    case truncated(needed: Int)
    /// The file is larger than the most a valid cache can be.
    case oversize(found: Int, limit: Int)
    /// The first four bytes are not "KNKC".
    case badMagic
    /// A format version this reader does not know.
    case unsupportedVersion(UInt8)
    /// More entries than ``NotificationKeyCache/maximumEntryCount``.
    case tooManyEntries(found: Int, limit: Int)
    /// Bytes follow the last declared entry.
    case trailingBytes(count: Int)
    /// Two entries for the same room and epoch.
    case duplicateEntry(RoomID, Epoch)

    public var description: String {
        switch self {
        case .truncated(let needed): "key cache truncated: \(needed) more bytes needed"
        case .oversize(let found, let limit): "key cache has \(found) bytes; at most \(limit) are allowed"
        case .badMagic: "not a notification key cache: bad magic"
        case .unsupportedVersion(let version): "unsupported key cache version \(version)"
        case .tooManyEntries(let found, let limit): "key cache declares \(found) entries; at most \(limit) are allowed"
        case .trailingBytes(let count): "key cache has \(count) bytes after its last entry"
        case .duplicateEntry(let room, let epoch): "key cache holds room \(room) epoch \(epoch) twice"
        }
    }
}
