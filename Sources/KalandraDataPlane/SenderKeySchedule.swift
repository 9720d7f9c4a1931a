import Crypto
import KalandraCore
import KalandraCrypto
import KalandraMLS

/// The key derivations of the data plane (docs/PROTOCOL.md, "Data plane: sender keys"). Pure functions of their
/// inputs: the base secret comes from the MLS exporter, or from a test directly.
///
///     base secret     = MLS-Exporter("kalandra sender keys", room ID (16 bytes), 32)
///     chain key[0]    = HKDF-SHA256(salt: empty, IKM: base secret,
///                                   info: "kalandraSenderV1" ‖ leaf (u32 BE) ‖ epoch (u64 BE), L: 32)
///     message key[g] ‖ chain key[g+1] = BLAKE2b-512(key: chain key[g], "kalandraRatchetV1")
///
/// The ratchet step is keyed BLAKE2b (RFC 7693), a PRF, split into two 32-byte halves: one call instead of the two
/// HMAC-SHA256 of an HKDF-Expand, about 0.5 µs instead of 5 µs here (docs/PERFORMANCE.md).
public enum SenderKeySchedule {
    /// The MLS exporter label of the per-epoch base secret.
    public static let exporterLabel = "kalandra sender keys"
    /// The length of every secret in the schedule.
    public static let secretByteCount = 32
    /// The HKDF info prefix of a sender's first chain key.
    public static let senderInfoPrefix: [UInt8] = Array("kalandraSenderV1".utf8)
    /// The message the ratchet step hashes under the chain key.
    public static let ratchetLabel: [UInt8] = Array("kalandraRatchetV1".utf8)

    /// The exporter context: the room ID's 16 bytes, big-endian halves.
    public static func exporterContext(roomID: RoomID) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        bytes.appendBigEndian(roomID.high)
        bytes.appendBigEndian(roomID.low)
        return bytes
    }

    /// The base secret of `group`'s current epoch for `roomID`.
    public static func baseSecret(of group: MLSGroup, roomID: RoomID) throws(DataPlaneError) -> SecretBytes {
        do {
            return try group.exporter(
                label: exporterLabel,
                context: exporterContext(roomID: roomID),
                length: secretByteCount
            )
        } catch {
            throw .mls("the sender-key exporter failed: \(error)")
        }
    }

    /// The first chain key of the sender at `leaf` in `epoch`.
    public static func initialChainKey(baseSecret: SecretBytes, leaf: LeafIndex, epoch: Epoch) -> SecretBytes {
        precondition(baseSecret.count == secretByteCount, "the sender-key base secret has 32 bytes")
        var info = senderInfoPrefix
        info.appendBigEndian(leaf.rawValue)
        info.appendBigEndian(epoch.rawValue)
        let key = baseSecret.withUnsafeBytes { SymmetricKey(data: $0) }
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key,
            salt: [UInt8](),
            info: info,
            outputByteCount: secretByteCount
        )
        return derived.withUnsafeBytes { SecretBytes(copying: $0) }
    }

    /// One ratchet step: the message key of the generation whose chain key is `chainKey`, and the next chain key.
    public static func step(chainKey: SecretBytes) -> (messageKey: SecretBytes, nextChainKey: SecretBytes) {
        precondition(chainKey.count == secretByteCount, "a chain key has 32 bytes")
        return BLAKE2b.withKeyedHash(ratchetLabel, key: chainKey, outputByteCount: 2 * secretByteCount) { output in
            (
                SecretBytes(copying: UnsafeRawBufferPointer(rebasing: output[..<secretByteCount])),
                SecretBytes(copying: UnsafeRawBufferPointer(rebasing: output[secretByteCount...]))
            )
        }
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: some FixedWidthInteger) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
