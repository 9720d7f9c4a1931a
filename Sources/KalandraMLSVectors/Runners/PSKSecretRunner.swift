import KalandraCrypto
import KalandraMLS

/// psk_secret.json (RFC 9420 §8.4): `psk_secret` of 0 to 10 external PSKs.
enum PSKSecretRunner: EntryRunner {
    struct Entry: Decodable {
        let cipherSuite: UInt16
        let psks: [PSK]
        @HexBytes var pskSecret: [UInt8]
    }

    struct PSK: Decodable {
        @HexBytes var pskId: [UInt8]
        @HexBytes var psk: [UInt8]
        @HexBytes var pskNonce: [UInt8]

        /// `PreSharedKeyID` with `psktype = external (1)`, `psk_id` and `psk_nonce` (§8.4).
        var serializedID: [UInt8] {
            var writer = TLSWriter()
            writer.writeUInt8(1)
            writer.writeOpaque(pskId)
            writer.writeOpaque(pskNonce)
            return writer.bytes
        }
    }

    static func cipherSuite(of entry: Entry) -> UInt16? { entry.cipherSuite }

    static func summary(of entry: Entry) -> String? { "\(entry.psks.count) PSKs" }

    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        let provider = try check.provider()
        let inputs = entry.psks.map {
            PreSharedKeyInput(serializedID: $0.serializedID, secret: SecretBytes(copying: $0.psk))
        }
        let secret = try step("psk_secret") { try KeySchedule.pskSecret(inputs, provider: provider) }
        check.expectSecret(secret, entry.pskSecret, "psk_secret (\(inputs.count) PSKs)")
        return 1
    }
}
