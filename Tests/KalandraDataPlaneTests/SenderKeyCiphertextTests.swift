import KalandraCBOR
import KalandraCore
import KalandraDataPlane
import KalandraMLS
import Testing

@Suite struct SenderKeyCiphertextTests {
    private let maximum = 1 << 20

    private func decode(_ bytes: [UInt8]) throws -> SenderKeyCiphertext {
        try bytes.withUnsafeBytes { buffer in
            try SenderKeyCiphertext(decoding: buffer, maximumByteCount: maximum)
        }
    }

    private func map(_ entries: [(UInt64, CBOR)]) -> [UInt8] {
        var bytes: [UInt8] = []
        CBOREncoder.encode(.map(entries.map { CBOR.MapEntry(key: .unsignedInteger($0.0), value: $0.1) }), into: &bytes)
        return bytes
    }

    private let nonce = [UInt8](repeating: 0xAB, count: 24)
    private let sealed = [UInt8](repeating: 0xCD, count: 40)

    @Test(
        arguments: [(0, 0), (23, 24), (255, 256), (65_535, 65_536), (LeafIndex.maximum, UInt32.max)]
            as [(UInt32, UInt32)]
    )
    func encodingIsTheDeterministicCBOROfTheMap(leafNumber: UInt32, generation: UInt32) throws {
        let ciphertext = SenderKeyCiphertext(
            sender: LeafIndex(rawValue: leafNumber)!,
            generation: generation,
            nonce: nonce,
            sealed: sealed
        )
        let expected = map([
            (0, .unsignedInteger(UInt64(leafNumber))), (1, .unsignedInteger(UInt64(generation))),
            (2, .byteString(nonce)), (3, .byteString(sealed)),
        ])
        #expect(ciphertext.encoded() == expected)
        #expect(try decode(expected) == ciphertext)
    }

    @Test func theSmallestCiphertextDecodes() throws {
        let bytes = SenderKeyCiphertext(sender: leaf(0), generation: 0, nonce: nonce, sealed: Array(sealed[..<16]))
            .encoded()
        #expect(bytes.count == SenderKeyCiphertext.minimumByteCount)
        #expect(throws: DataPlaneError.shortCiphertext(length: bytes.count - 1, minimum: bytes.count)) {
            try decode(Array(bytes.dropLast()))
        }
    }

    @Test func malformedPayloadsGetTypedErrors() throws {
        let good: [(UInt64, CBOR)] = [
            (0, .unsignedInteger(1)), (1, .unsignedInteger(2)), (2, .byteString(nonce)), (3, .byteString(sealed)),
        ]
        var shortNonce = good
        shortNonce[2].1 = .byteString(Array(nonce.dropLast()))
        #expect(throws: DataPlaneError.invalidNonceLength(found: 23)) {
            try decode(map(shortNonce))
        }
        var longNonce = good
        longNonce[2].1 = .byteString(nonce + [0])
        #expect(throws: DataPlaneError.invalidNonceLength(found: 25)) { try decode(map(longNonce)) }
        var bigGeneration = good
        bigGeneration[1].1 = .unsignedInteger(1 << 32)
        #expect(throws: DataPlaneError.self) { try decode(map(bigGeneration)) }
        var badLeaf = good
        badLeaf[0].1 = .unsignedInteger(UInt64(LeafIndex.maximum) + 1)
        #expect(throws: DataPlaneError.self) { try decode(map(badLeaf)) }
        var textCiphertext = good
        textCiphertext[3].1 = .textString(String(repeating: "x", count: 40))
        #expect(throws: DataPlaneError.malformedCiphertext(reason: "the ciphertext is not a byte string")) {
            try decode(map(textCiphertext))
        }
        let extraKey = good + [(4, .null)]
        #expect(throws: DataPlaneError.malformedCiphertext(reason: "5 entries, not 4")) { try decode(map(extraKey)) }
        let renamed = [(0, good[0].1), (1, good[1].1), (2, good[2].1), (7, good[3].1)] as [(UInt64, CBOR)]
        #expect(throws: DataPlaneError.self) { try decode(map(renamed)) }
        var array: [UInt8] = []
        CBOREncoder.encode(.array(good.map(\.1)), into: &array)
        #expect(throws: DataPlaneError.malformedCiphertext(reason: "not a map")) { try decode(array) }
        // A non-shortest length form is not deterministic CBOR.
        var encoded = map(good)
        let index = encoded.firstIndex(of: 0x58)!  // the nonce's bstr head 0x58 0x18
        encoded.replaceSubrange(index...index + 1, with: [0x59, 0x00, 0x18])
        #expect(throws: DataPlaneError.self) { try decode(encoded) }
        // Trailing bytes.
        #expect(throws: DataPlaneError.self) { try decode(map(good) + [0]) }
        // Over the limit.
        let large = map(good)
        #expect(throws: DataPlaneError.ciphertextTooLarge(length: large.count, limit: 60)) {
            try large.withUnsafeBytes { buffer in
                _ = try SenderKeyCiphertext(decoding: buffer, maximumByteCount: 60)
            }
        }
    }
}
