import KalandraCore

/// Why a push envelope was refused, in words that say what was wrong with it. Never carries key material or
/// plaintext.
public enum NotificationEnvelopeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The envelope is shorter than its fixed header plus the authentication tag.
    case truncated(needed: Int)
    /// The envelope is larger than ``NotificationEnvelope/maximumByteCount``.
    case oversize(found: Int, limit: Int)
    /// The first two bytes are not the envelope magic "KN".
    case badMagic
    /// A version this decoder does not know.
    case unsupportedVersion(UInt8)
    /// The cache holds no key for the room.
    case unknownRoom(RoomID)
    /// The cache holds keys for the room, but not for the epoch (older than the cache keeps, or newer than the last
    /// export by the main client).
    case unknownEpoch(RoomID, Epoch)
    /// The cache's key for the room and epoch has another fingerprint: the cache is stale, or the envelope was made
    /// for another export of that epoch.
    case keyMismatch(RoomID, Epoch, keyID: UInt32)
    /// The ciphertext, nonce or header was modified, or the envelope was sealed under another key.
    case authenticationFailure
    /// The decrypted body is not the expected CBOR map.
    case malformedBody(String)

    public var description: String {
        switch self {
        case .truncated(let needed): "envelope truncated: \(needed) more bytes needed"
        case .oversize(let found, let limit): "envelope has \(found) bytes; at most \(limit) are allowed"
        case .badMagic: "not a notification envelope: bad magic"
        case .unsupportedVersion(let version): "unsupported envelope version \(version)"
        case .unknownRoom(let room): "no notification key for room \(room)"
        case .unknownEpoch(let room, let epoch): "no notification key for room \(room) epoch \(epoch)"
        case .keyMismatch(let room, let epoch, let keyID):
            "the cached key for room \(room) epoch \(epoch) is not key \(Hex.encode(UInt64(keyID)).suffix(8))"
        case .authenticationFailure: "envelope does not authenticate: modified, or sealed under another key"
        case .malformedBody(let reason): "decrypted body is malformed: \(reason)"
        }
    }
}
