import KalandraCrypto
import KalandraMLS
import Testing

/// welcome.json (RFC 9420 §12.4.3.1): open the Welcome with the KeyPackage and its init key, verify the GroupInfo's
/// signature with `signer_pub` and its confirmation tag through the key schedule, for suites 1 and 3; other suites'
/// entries are skipped.
@Suite struct WelcomeVectorTests {
    struct Vector: Decodable {
        let cipherSuite: UInt16
        @HexEncoded var initPriv: [UInt8]
        @HexEncoded var signerPub: [UInt8]
        @HexEncoded var keyPackage: [UInt8]
        @HexEncoded var welcome: [UInt8]
    }

    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let vectors = try VectorLoader.load([Vector].self, from: "welcome.json")
        var ran: [UInt16] = []
        var skipped: [UInt16] = []
        for vector in vectors {
            let suite = CipherSuite(rawValue: vector.cipherSuite)
            guard CipherSuite.supported.contains(suite) else {
                expectError(.unsupportedCipherSuite(vector.cipherSuite)) { _ = try suite.provider() }
                skipped.append(vector.cipherSuite)
                continue
            }
            try check(vector, with: try suite.provider())
            ran.append(vector.cipherSuite)
        }
        #expect(ran == [1, 3])
        #expect(skipped == [2, 4, 5, 6, 7])
    }

    private func check(_ vector: Vector, with provider: any CipherSuiteProvider) throws {
        guard case .keyPackage(let keyPackage) = try MLSMessage.decode(vector.keyPackage).body else {
            Issue.record("key_package is not an MLSMessage(KeyPackage)")
            return
        }
        guard case .welcome(let welcome) = try MLSMessage.decode(vector.welcome).body else {
            Issue.record("welcome is not an MLSMessage(Welcome)")
            return
        }
        let signerKey = SignaturePublicKey(vector.signerPub)
        let joined = try welcome.open(
            keyPackage: keyPackage,
            initPrivateKey: HPKEPrivateKey(SecretBytes(copying: vector.initPriv)),
            provider: provider
        ) { _ in signerKey }
        #expect(joined.groupSecrets.psks.isEmpty)
        #expect(joined.groupInfo.groupContext.cipherSuite == CipherSuite(rawValue: vector.cipherSuite))
        #expect(
            joined.keySchedule.epochSecrets.verifyConfirmationTag(
                joined.groupInfo.confirmationTag,
                confirmedTranscriptHash: joined.groupInfo.groupContext.confirmedTranscriptHash
            )
        )

        // Another signer's key fails the GroupInfo signature.
        let otherKey = SignaturePublicKey([UInt8](repeating: 7, count: vector.signerPub.count))
        expectError(.signatureInvalid) {
            _ = try welcome.open(
                keyPackage: keyPackage,
                initPrivateKey: HPKEPrivateKey(SecretBytes(copying: vector.initPriv)),
                provider: provider
            ) { _ in otherKey }
        }
    }
}
