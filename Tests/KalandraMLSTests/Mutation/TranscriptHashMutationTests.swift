import KalandraCrypto
import KalandraMLS
import Testing

/// transcript-hashes.json (RFC 9420 §8.2) with a byte of the commit's confirmation tag flipped: the tag no longer
/// matches `MAC(confirmation_key, confirmed_transcript_hash)`, and the interim hash, which covers the tag, changes
/// while the confirmed hash, which does not, stays; for suites 1 and 3.
@Suite struct TranscriptHashMutationTests {
    struct Vector: SuiteTaggedVector {
        let cipherSuite: UInt16
        @HexEncoded var confirmationKey: [UInt8]
        @HexEncoded var authenticatedContent: [UInt8]
        @HexEncoded var interimTranscriptHashBefore: [UInt8]
        @HexEncoded var confirmedTranscriptHashAfter: [UInt8]
        @HexEncoded var interimTranscriptHashAfter: [UInt8]
    }

    @Test func flippedConfirmationTagChangesOnlyTheInterimHash() throws {
        var checked = 0
        for (vector, provider) in try loadSupportedVectors(Vector.self, from: "transcript-hashes.json") {
            let commit = try AuthenticatedContent.decode(vector.authenticatedContent)
            let tag = try #require(commit.auth.confirmationTag)
            let expectedTag = provider.mac(
                key: SecretBytes(copying: vector.confirmationKey),
                data: vector.confirmedTranscriptHashAfter
            )
            #expect(ConstantTime.equals(tag, expectedTag))
            for (position, flippedTag) in ByteFlip.variants(of: tag) {
                var auth = commit.auth
                auth.confirmationTag = flippedTag
                let mutated = try AuthenticatedContent(
                    wireFormat: commit.wireFormat,
                    content: commit.content,
                    auth: auth
                )
                let hashes = try TranscriptHashes(
                    interimBefore: vector.interimTranscriptHashBefore,
                    commit: mutated,
                    provider: provider
                )
                let what = "suite \(vector.cipherSuite) tag byte \(position)"
                #expect(!ConstantTime.equals(flippedTag, expectedTag), "\(what)")
                #expect(hashes.confirmed == vector.confirmedTranscriptHashAfter, "\(what)")
                #expect(hashes.interim != vector.interimTranscriptHashAfter, "\(what)")
                checked += 1
            }
        }
        #expect(checked == 2 * 3)
    }
}
