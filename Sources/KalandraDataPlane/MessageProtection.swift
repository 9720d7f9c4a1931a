import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraWire

/// Message encryption under a message key: XChaCha20-Poly1305 with associated data that binds the message to its
/// place (docs/PROTOCOL.md, "Data plane: sender keys"):
///
///     AAD = 0x01 (version) ‖ opcode (u16) ‖ room ID (16) ‖ header sender ID (u64) ‖ epoch (u64)
///           ‖ sender leaf (u32) ‖ generation (u32)                                  (43 bytes, big-endian)
///
/// so a ciphertext moved to another room, epoch, sender, generation or opcode fails to decrypt even before the
/// frame signature is considered.
public enum MessageProtection {
    /// The length of the associated data.
    public static let associatedDataByteCount = 43

    /// The associated data of a message with `header`'s routing fields, from `sender` at `generation`.
    public static func associatedData(header: FrameHeader, sender: LeafIndex, generation: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(associatedDataByteCount)
        bytes.append(0x01)
        bytes.appendBigEndian(header.opcode.rawValue)
        bytes.appendBigEndian(header.roomID.high)
        bytes.appendBigEndian(header.roomID.low)
        bytes.appendBigEndian(header.senderID.rawValue)
        bytes.appendBigEndian(header.epoch.rawValue)
        bytes.appendBigEndian(sender.rawValue)
        bytes.appendBigEndian(generation)
        assert(bytes.count == associatedDataByteCount)
        return bytes
    }

    /// `plaintext` sealed under `key` with a nonce drawn from `generator`.
    public static func seal(
        _ plaintext: [UInt8],
        key: SecretBytes,
        header: FrameHeader,
        sender: LeafIndex,
        generation: UInt32,
        using generator: inout some RandomNumberGenerator
    ) -> SenderKeyCiphertext {
        var nonce: [UInt8] = []
        nonce.reserveCapacity(XChaCha20Poly1305.nonceByteCount)
        for _ in 0..<(XChaCha20Poly1305.nonceByteCount / 8) { nonce.appendBigEndian(generator.next()) }
        let associatedData = associatedData(header: header, sender: sender, generation: generation)
        let sealed: [UInt8]
        do {
            sealed = try XChaCha20Poly1305.seal(plaintext, key: key, nonce: nonce, associatedData: associatedData)
        } catch {
            // The key and nonce lengths are fixed by construction.
            preconditionFailure("XChaCha20-Poly1305 refused a 32-byte key and a 24-byte nonce: \(error)")
        }
        return SenderKeyCiphertext(sender: sender, generation: generation, nonce: nonce, sealed: sealed)
    }

    /// The plaintext of `ciphertext`, or `authenticationFailure`.
    public static func open(
        _ ciphertext: SenderKeyCiphertext,
        key: SecretBytes,
        header: FrameHeader
    ) throws(DataPlaneError) -> [UInt8] {
        let associatedData = associatedData(
            header: header,
            sender: ciphertext.sender,
            generation: ciphertext.generation
        )
        do {
            return try XChaCha20Poly1305.open(
                ciphertext.sealed,
                key: key,
                nonce: ciphertext.nonce,
                associatedData: associatedData
            )
        } catch .invalidNonceLength(_, let found) {
            throw .invalidNonceLength(found: found)
        } catch {
            throw .authenticationFailure
        }
    }
}
