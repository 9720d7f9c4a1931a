import KalandraCore
import KalandraCrypto

/// A push payload as it travels through the push service: a fixed 55-byte header, then the XChaCha20-Poly1305
/// ciphertext (with its 16-byte tag) of a ``NotificationBody``. The associated data is the first 31 bytes (magic,
/// version, room, epoch, key ID), so none of them can be changed without failing authentication.
///
///     offset  size  field
///          0     2  magic "KN" (4b 4e)
///          2     1  version (1)
///          3    16  room ID
///         19     8  epoch (big-endian)
///         27     4  key ID (big-endian)
///         31    24  nonce (random)
///         55   16+  ciphertext ‖ tag
public struct NotificationEnvelope: Sendable, Equatable {
    /// The envelope magic.
    public static let magic: [UInt8] = [0x4b, 0x4e]
    /// The version this module writes and reads.
    public static let version: UInt8 = 1
    /// The header length in bytes (everything before the ciphertext).
    public static let headerByteCount = 55
    /// The length of the authenticated header fields (the associated data).
    public static let associatedDataByteCount = 31
    /// The smallest valid envelope: a header and a tag (an empty plaintext does not decode as a body, but is
    /// refused by authentication or body decoding rather than by length).
    public static let minimumByteCount = headerByteCount + XChaCha20Poly1305.tagByteCount
    /// The largest envelope accepted (APNs and FCM carry about 4 KB; the envelope is base64 inside that).
    public static let maximumByteCount = 3072

    /// The room the notification is for.
    public var roomID: RoomID
    /// The epoch whose notification key sealed it.
    public var epoch: Epoch
    /// The fingerprint of that key.
    public var keyID: UInt32
    /// The 24-byte nonce.
    public var nonce: [UInt8]
    /// Ciphertext and tag.
    public var ciphertext: [UInt8]

    /// The envelope in `bytes`, with its header checked; nothing is decrypted yet.
    public init(decoding bytes: some Collection<UInt8>) throws(NotificationEnvelopeError) {
        guard bytes.count <= Self.maximumByteCount else {
            throw .oversize(found: bytes.count, limit: Self.maximumByteCount)
        }
        let bytes = ArraySlice(bytes)
        let start = bytes.startIndex
        // The magic and version are checked as soon as they are there, so a wrong file says so rather than "short".
        guard bytes.count >= 2 else { throw .truncated(needed: Self.minimumByteCount - bytes.count) }
        guard bytes[start] == Self.magic[0], bytes[start + 1] == Self.magic[1] else { throw .badMagic }
        guard bytes.count >= 3 else { throw .truncated(needed: Self.minimumByteCount - bytes.count) }
        guard bytes[start + 2] == Self.version else { throw .unsupportedVersion(bytes[start + 2]) }
        guard bytes.count >= Self.minimumByteCount else {
            throw .truncated(needed: Self.minimumByteCount - bytes.count)
        }
        roomID = RoomID(
            high: BigEndian.read(bytes, at: start + 3, count: 8),
            low: BigEndian.read(bytes, at: start + 11, count: 8)
        )
        epoch = Epoch(BigEndian.read(bytes, at: start + 19, count: 8))
        keyID = UInt32(BigEndian.read(bytes, at: start + 27, count: 4))
        nonce = Array(bytes[(start + 31)..<(start + Self.headerByteCount)])
        ciphertext = Array(bytes[(start + Self.headerByteCount)...])
    }

    /// Seals `body` under `key` with `nonce` (24 bytes, random: draw it from the system generator).
    public static func seal(
        body: NotificationBody,
        key: NotificationKey,
        nonce: [UInt8]
    ) throws(NotificationSealError) -> NotificationEnvelope {
        guard body.isWithinLimits else { throw .bodyTooLarge }
        var envelope = NotificationEnvelope(roomID: key.roomID, epoch: key.epoch, keyID: key.keyID, nonce: nonce)
        var plaintext = body.encoded()
        defer { Zeroize.bytes(&plaintext) }
        guard Self.headerByteCount + plaintext.count + XChaCha20Poly1305.tagByteCount <= Self.maximumByteCount else {
            throw .bodyTooLarge
        }
        do {
            envelope.ciphertext = try XChaCha20Poly1305.seal(
                plaintext,
                key: key.secret,
                nonce: nonce,
                associatedData: envelope.associatedData()
            )
        } catch {
            throw .crypto(error)
        }
        return envelope
    }

    private init(roomID: RoomID, epoch: Epoch, keyID: UInt32, nonce: [UInt8]) {
        self.roomID = roomID
        self.epoch = epoch
        self.keyID = keyID
        self.nonce = nonce
        self.ciphertext = []
    }

    /// Magic, version, room, epoch and key ID: the authenticated header.
    func associatedData() -> [UInt8] {
        var bytes = Self.magic
        bytes.reserveCapacity(Self.headerByteCount)
        bytes.append(Self.version)
        BigEndian.append(roomID.high, to: &bytes)
        BigEndian.append(roomID.low, to: &bytes)
        BigEndian.append(epoch.rawValue, to: &bytes)
        BigEndian.append(keyID, to: &bytes)
        return bytes
    }

    /// The envelope's bytes.
    public func encoded() -> [UInt8] {
        var bytes = associatedData()
        bytes.reserveCapacity(Self.headerByteCount + ciphertext.count)
        bytes += nonce
        bytes += ciphertext
        return bytes
    }

    /// The body, if `key` is the envelope's key and nothing was modified.
    func open(with key: NotificationKey) throws(NotificationEnvelopeError) -> NotificationBody {
        var plaintext: [UInt8]
        do {
            plaintext = try XChaCha20Poly1305.open(
                ciphertext,
                key: key.secret,
                nonce: nonce,
                associatedData: associatedData()
            )
        } catch {
            throw .authenticationFailure
        }
        defer { Zeroize.bytes(&plaintext) }
        return try NotificationBody(decoding: plaintext)
    }
}

/// Why the main client could not seal a notification.
public enum NotificationSealError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The sender hint or preview is over its limit, or the envelope would exceed its maximum size.
    case bodyTooLarge
    /// The nonce had the wrong length.
    case crypto(CryptoError)

    public var description: String {
        switch self {
        case .bodyTooLarge:
            "notification body over its limits (sender hint \(NotificationBody.maximumSenderHintBytes) bytes, "
                + "preview \(NotificationBody.maximumPreviewBytes) bytes, envelope "
                + "\(NotificationEnvelope.maximumByteCount) bytes)"
        case .crypto(let error): "\(error)"
        }
    }
}
