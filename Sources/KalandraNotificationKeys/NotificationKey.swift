import KalandraCore
import KalandraCrypto

/// The key that encrypts push payloads of one room in one epoch. The main client derives it from the MLS exporter
/// (`MLSGroup.exporter(label: exporterLabel, context: exporterContext(...), length: 32)`) and hands the exported
/// bytes here; this module has no MLS dependency.
public struct NotificationKey: Sendable {
    /// The MLS exporter label the main client passes.
    public static let exporterLabel = "kalandra notification key"
    /// The number of bytes the main client exports.
    public static let exportedByteCount = XChaCha20Poly1305.keyByteCount

    /// The room the key belongs to.
    public let roomID: RoomID
    /// The MLS epoch the key belongs to.
    public let epoch: Epoch
    /// The XChaCha20-Poly1305 key.
    public let secret: SecretBytes
    /// A public 32-bit fingerprint of the key (see ``fingerprint(of:)``), carried in envelopes and `push_keys`.
    public let keyID: UInt32

    /// The key exported for `roomID` in `epoch`; `exported` must hold ``exportedByteCount`` bytes.
    public init(exported: SecretBytes, roomID: RoomID, epoch: Epoch) throws(CryptoError) {
        guard exported.count == Self.exportedByteCount else {
            throw CryptoError.invalidKeyLength(expected: Self.exportedByteCount, found: exported.count)
        }
        self.roomID = roomID
        self.epoch = epoch
        self.secret = exported
        self.keyID = try Self.fingerprint(of: exported)
    }

    /// The exporter context: room ID (16 bytes) ‖ epoch (8 bytes, big-endian), so every room and epoch gets its own
    /// key even if two groups ever share exporter secrets.
    public static func exporterContext(roomID: RoomID, epoch: Epoch) -> [UInt8] {
        var context: [UInt8] = []
        context.reserveCapacity(24)
        BigEndian.append(roomID.high, to: &context)
        BigEndian.append(roomID.low, to: &context)
        BigEndian.append(epoch.rawValue, to: &context)
        return context
    }

    /// The first four bytes (big-endian) of the Poly1305 tag that the key gives an empty message with a fixed all-ones
    /// nonce and the associated data "kalandra notification key id": a keyed fingerprint that reveals nothing of
    /// the key, and tells a stale cache (another key for the same room and epoch, as after a reinitialised group)
    /// apart from a forged envelope. The fixed nonce is never drawn for an envelope (nonces are random, 192 bits).
    static func fingerprint(of key: SecretBytes) throws(CryptoError) -> UInt32 {
        let tag = try XChaCha20Poly1305.seal(
            [],
            key: key,
            nonce: [UInt8](repeating: 0xff, count: XChaCha20Poly1305.nonceByteCount),
            associatedData: Array("kalandra notification key id".utf8)
        )
        return tag[0..<4].reduce(0) { ($0 << 8) | UInt32($1) }
    }
}
