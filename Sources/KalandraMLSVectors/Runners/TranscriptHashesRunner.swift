import KalandraCrypto
import KalandraMLS

/// transcript-hashes.json (RFC 9420 §8.2): the commit's confirmation tag under `confirmation_key`, and the confirmed
/// and interim transcript hashes after it.
enum TranscriptHashesRunner: EntryRunner {
    struct Entry: Decodable {
        let cipherSuite: UInt16
        @HexBytes var confirmationKey: [UInt8]
        @HexBytes var authenticatedContent: [UInt8]
        @HexBytes var interimTranscriptHashBefore: [UInt8]
        @HexBytes var confirmedTranscriptHashAfter: [UInt8]
        @HexBytes var interimTranscriptHashAfter: [UInt8]
    }

    static func cipherSuite(of entry: Entry) -> UInt16? { entry.cipherSuite }

    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        let provider = try check.provider()
        let content = try step("authenticated_content") { try AuthenticatedContent.decode(entry.authenticatedContent) }
        check.expectEqual(content.content.contentType, .commit, "authenticated_content content type")
        let tag = try require(content.auth.confirmationTag, "authenticated_content has no confirmation tag")
        let expectedTag = provider.mac(
            key: SecretBytes(copying: entry.confirmationKey),
            data: entry.confirmedTranscriptHashAfter
        )
        check.expect(
            ConstantTime.equals(tag, expectedTag),
            "confirmation tag differs from MAC(confirmation_key, confirmed_transcript_hash_after)"
        )
        let hashes = try step("transcript hashes") {
            try TranscriptHashes(interimBefore: entry.interimTranscriptHashBefore, commit: content, provider: provider)
        }
        check.expectEqual(hashes.confirmed, entry.confirmedTranscriptHashAfter, "confirmed_transcript_hash_after")
        check.expectEqual(hashes.interim, entry.interimTranscriptHashAfter, "interim_transcript_hash_after")
        return 1
    }
}
