import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraMLS

/// The payload of an `applicationMessage` frame: a CBOR map in core deterministic encoding,
///
///     { 0: sender leaf (uint), 1: generation (uint), 2: nonce (bstr, 24), 3: ciphertext ‖ tag (bstr, ≥ 16) }
///
/// with exactly these four keys. The nonce is random; the key is the generation's message key of the sender's chain.
public struct SenderKeyCiphertext: Sendable, Equatable {
    /// The sender's leaf.
    public var sender: LeafIndex
    /// The generation in the sender's chain.
    public var generation: UInt32
    /// The XChaCha20-Poly1305 nonce (24 bytes).
    public var nonce: [UInt8]
    /// The ciphertext with its 16-byte tag appended.
    public var sealed: [UInt8]

    /// A ciphertext from its parts; `nonce` has 24 bytes and `sealed` at least 16.
    public init(sender: LeafIndex, generation: UInt32, nonce: [UInt8], sealed: [UInt8]) {
        precondition(nonce.count == XChaCha20Poly1305.nonceByteCount, "an XChaCha20 nonce has 24 bytes")
        precondition(sealed.count >= XChaCha20Poly1305.tagByteCount, "a sealed message holds its 16-byte tag")
        self.sender = sender
        self.generation = generation
        self.nonce = nonce
        self.sealed = sealed
    }

    /// The smallest encoding: one-byte integers and a bare tag.
    public static let minimumByteCount = 1 + 2 + 2 + (1 + 2 + 24) + (1 + 1 + 16)
    /// The most the map adds to a plaintext: five-byte integers and length, the nonce and the tag.
    public static let maximumOverheadBytes = 1 + 6 + 6 + (1 + 2 + 24) + (1 + 5 + 16)

    /// The deterministic CBOR encoding, written directly (it always equals `CBOREncoder`'s).
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.maximumOverheadBytes + sealed.count)
        bytes.append(0xA4)
        bytes.append(0x00)
        Self.appendHead(major: 0, argument: UInt64(sender.rawValue), to: &bytes)
        bytes.append(0x01)
        Self.appendHead(major: 0, argument: UInt64(generation), to: &bytes)
        bytes.append(0x02)
        Self.appendHead(major: 2, argument: UInt64(nonce.count), to: &bytes)
        bytes.append(contentsOf: nonce)
        bytes.append(0x03)
        Self.appendHead(major: 2, argument: UInt64(sealed.count), to: &bytes)
        bytes.append(contentsOf: sealed)
        return bytes
    }

    /// Decodes `bytes` (at most `maximumByteCount` long), refusing anything but the exact schema in strict
    /// deterministic CBOR.
    public init(decoding bytes: UnsafeRawBufferPointer, maximumByteCount: Int) throws(DataPlaneError) {
        guard bytes.count >= Self.minimumByteCount else {
            throw .shortCiphertext(length: bytes.count, minimum: Self.minimumByteCount)
        }
        guard bytes.count <= maximumByteCount else {
            throw .ciphertextTooLarge(length: bytes.count, limit: maximumByteCount)
        }
        let value: CBOR
        do {
            value = try CBORDecoder().decode(bytes)
        } catch {
            throw .malformedCiphertext(reason: "not deterministic CBOR: \(error)")
        }
        guard case .map(let entries) = value else { throw .malformedCiphertext(reason: "not a map") }
        guard entries.count == 4 else { throw .malformedCiphertext(reason: "\(entries.count) entries, not 4") }
        var fields: [CBOR] = []
        for (expectedKey, entry) in entries.enumerated() {
            // Strict decoding guarantees sorted keys, so the four keys are 0, 1, 2, 3 in this order or absent.
            guard entry.key == .unsignedInteger(UInt64(expectedKey)) else {
                throw .malformedCiphertext(reason: "unexpected key \(entry.key)")
            }
            fields.append(entry.value)
        }
        guard case .unsignedInteger(let leaf) = fields[0], leaf <= UInt64(LeafIndex.maximum),
            let sender = LeafIndex(rawValue: UInt32(leaf))
        else { throw .malformedCiphertext(reason: "the sender is not a leaf index") }
        guard case .unsignedInteger(let generation) = fields[1], let generation32 = UInt32(exactly: generation) else {
            throw .malformedCiphertext(reason: "the generation is not a 32-bit unsigned integer")
        }
        guard case .byteString(let nonce) = fields[2] else {
            throw .malformedCiphertext(reason: "the nonce is not a byte string")
        }
        guard nonce.count == XChaCha20Poly1305.nonceByteCount else { throw .invalidNonceLength(found: nonce.count) }
        guard case .byteString(let sealed) = fields[3] else {
            throw .malformedCiphertext(reason: "the ciphertext is not a byte string")
        }
        guard sealed.count >= XChaCha20Poly1305.tagByteCount else {
            throw .shortCiphertext(length: bytes.count, minimum: Self.minimumByteCount)
        }
        self.init(sender: sender, generation: generation32, nonce: nonce, sealed: sealed)
    }

    /// A CBOR head: major type and shortest argument (RFC 8949 §3, §4.2.1).
    private static func appendHead(major: UInt8, argument: UInt64, to bytes: inout [UInt8]) {
        let type = major << 5
        switch argument {
        case 0..<24: bytes.append(type | UInt8(argument))
        case 24...0xFF: bytes.append(contentsOf: [type | 24, UInt8(argument)])
        case 0x100...0xFFFF:
            bytes.append(type | 25)
            bytes.appendBigEndian(UInt16(argument))
        case 0x1_0000...0xFFFF_FFFF:
            bytes.append(type | 26)
            bytes.appendBigEndian(UInt32(argument))
        default:
            bytes.append(type | 27)
            bytes.appendBigEndian(argument)
        }
    }
}
