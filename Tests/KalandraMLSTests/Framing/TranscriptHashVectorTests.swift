import KalandraCrypto
import KalandraMLS
import Testing

/// transcript-hashes.json (RFC 9420 §8.2): the confirmation tag of the commit under `confirmation_key`, and the
/// confirmed and interim hashes after it, for suites 1 and 3; other suites' entries are skipped.
@Suite struct TranscriptHashVectorTests {
    struct Vector: Decodable {
        let cipherSuite: UInt16
        @HexEncoded var confirmationKey: [UInt8]
        @HexEncoded var authenticatedContent: [UInt8]
        @HexEncoded var interimTranscriptHashBefore: [UInt8]
        @HexEncoded var confirmedTranscriptHashAfter: [UInt8]
        @HexEncoded var interimTranscriptHashAfter: [UInt8]
    }

    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let vectors = try VectorLoader.load([Vector].self, from: "transcript-hashes.json")
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
        let content = try AuthenticatedContent.decode(vector.authenticatedContent)
        #expect(content.content.contentType == .commit)
        let tag = try #require(content.auth.confirmationTag)
        let expectedTag = provider.mac(
            key: SecretBytes(copying: vector.confirmationKey),
            data: vector.confirmedTranscriptHashAfter
        )
        #expect(ConstantTime.equals(tag, expectedTag))

        let hashes = try TranscriptHashes(
            interimBefore: vector.interimTranscriptHashBefore,
            commit: content,
            provider: provider
        )
        #expect(hashes.confirmed == vector.confirmedTranscriptHashAfter)
        #expect(hashes.interim == vector.interimTranscriptHashAfter)
    }
}
