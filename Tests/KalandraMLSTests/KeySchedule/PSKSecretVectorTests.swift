import KalandraCrypto
import KalandraMLS
import Testing

/// psk_secret.json (RFC 9420 §8.4): `psk_secret` of 0 to 10 external PSKs, for suites 1 and 3; other suites' entries
/// are skipped.
@Suite struct PSKSecretVectorTests {
    struct Vector: Decodable {
        let cipherSuite: UInt16
        let psks: [PSK]
        @HexEncoded var pskSecret: [UInt8]
    }

    struct PSK: Decodable {
        @HexEncoded var pskId: [UInt8]
        @HexEncoded var psk: [UInt8]
        @HexEncoded var pskNonce: [UInt8]

        /// `PreSharedKeyID` with `psktype = external (1)`, `psk_id` and `psk_nonce` (§8.4).
        var serializedID: [UInt8] {
            var writer = TLSWriter()
            writer.writeUInt8(1)
            writer.writeOpaque(pskId)
            writer.writeOpaque(pskNonce)
            return writer.bytes
        }
    }

    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let vectors = try VectorLoader.load([Vector].self, from: "psk_secret.json")
        var ran: [UInt16] = []
        var skipped: [UInt16] = []
        for vector in vectors {
            let suite = CipherSuite(rawValue: vector.cipherSuite)
            guard CipherSuite.supported.contains(suite) else {
                expectError(.unsupportedCipherSuite(vector.cipherSuite)) { _ = try suite.provider() }
                skipped.append(vector.cipherSuite)
                continue
            }
            let inputs = vector.psks.map {
                PreSharedKeyInput(serializedID: $0.serializedID, secret: SecretBytes(copying: $0.psk))
            }
            let secret = try KeySchedule.pskSecret(inputs, provider: try suite.provider())
            #expect(secret == SecretBytes(copying: vector.pskSecret), "suite \(vector.cipherSuite), \(inputs.count)")
            ran.append(vector.cipherSuite)
        }
        #expect(ran == Array(repeating: 1, count: 11) + Array(repeating: 3, count: 11))
        #expect(skipped.count == 55)
        #expect(Set(skipped) == [2, 4, 5, 6, 7])
    }
}
