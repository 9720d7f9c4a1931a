import KalandraCore
import KalandraCrypto

/// Stored values: `format (1) ‖ CRC-32C (4, big-endian) ‖ body`. The checksum covers the record's key, the format
/// byte and the body, so a value that is damaged, or that turns up under another key, is reported as corruption.
enum RecordCodec {
    static let format: UInt8 = 1
    static let headerBytes = 5

    static func seal(body: [UInt8], key: [UInt8]) -> [UInt8] {
        let crc = CRC32C.checksum(key[...], [format][...], body[...])
        var value: [UInt8] = [
            format, UInt8(crc >> 24), UInt8(truncatingIfNeeded: crc >> 16),
            UInt8(truncatingIfNeeded: crc >> 8), UInt8(truncatingIfNeeded: crc),
        ]
        value.append(contentsOf: body)
        return value
    }

    static func open(
        _ value: [UInt8],
        key: [UInt8],
        what: @autoclosure () -> String
    ) throws(StorageError)
        -> ArraySlice<UInt8>
    {
        guard value.count >= headerBytes else { throw .corruption("\(what()): record of \(value.count) bytes") }
        guard value[0] == format else { throw .corruption("\(what()): unknown record format \(value[0])") }
        let stored = value[1..<5].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let body = value[headerBytes...]
        guard CRC32C.checksum(key[...], [format][...], body) == stored else {
            throw .corruption("\(what()): checksum mismatch")
        }
        return body
    }
}

/// Encryption at rest of log payloads: each payload has its own random 256-bit key, used once, so the
/// XChaCha20-Poly1305 nonce can be fixed (zero) without ever repeating a (key, nonce) pair. The associated data is
/// the entry's store key (room ‖ sequence): a ciphertext moved to another position does not authenticate.
enum PayloadCipher {
    static let zeroNonce = [UInt8](repeating: 0, count: XChaCha20Poly1305.nonceByteCount)

    static func seal(_ payload: [UInt8], key: SecretBytes, entryKey: [UInt8]) -> [UInt8] {
        do {
            return try XChaCha20Poly1305.seal(payload, key: key, nonce: zeroNonce, associatedData: entryKey)
        } catch {
            preconditionFailure("key and nonce sizes are fixed: \(error)")
        }
    }

    static func open(
        _ ciphertext: ArraySlice<UInt8>,
        key: SecretBytes,
        entryKey: [UInt8],
        what: String
    )
        throws(StorageError) -> [UInt8]
    {
        do {
            return try XChaCha20Poly1305.open(Array(ciphertext), key: key, nonce: zeroNonce, associatedData: entryKey)
        } catch {
            throw .corruption("\(what): payload does not authenticate under its key")
        }
    }
}
