import KalandraCore
import KalandraMLS
import KalandraMLSVectors
import Testing

/// Malformed versions of the messages.json structs: every one is refused with a typed error, none traps.
@Suite struct MessagesMalformedInputTests {
    let vectors: [MessagesVectorTests.Vector]

    init() throws { vectors = try MessagesVectorTests.loadVectors() }

    /// Every prefix of a few real structs fails as truncated.
    @Test func everyTruncationIsRefused() throws {
        try #require(vectors.count == MessagesVectorTests.entryCount)
        var prefixCount = 0
        for vector in vectors.prefix(3) {
            for field in MessagesVectorTests.fields {
                let bytes = field.bytes(vector)
                for length in 0..<bytes.count {
                    expectTruncated("\(field.name) cut to \(length) bytes") {
                        _ = try field.roundTrip(Array(bytes.prefix(length)))
                    }
                    prefixCount += 1
                }
            }
        }
        #expect(prefixCount > 10_000)
    }

    /// Records an issue unless `body` throws `truncated` (with any byte count: a length header may claim more than
    /// is left, so the count is not fixed by the prefix length).
    private func expectTruncated(_ what: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("\(what): decoded")
        } catch let error as MLSError {
            guard case .truncated = error.kind else {
                Issue.record("\(what): \(error), not truncated")
                return
            }
        } catch {
            Issue.record("\(what): \(error)")
        }
    }

    @Test func trailingBytesAreRefused() throws {
        try #require(!vectors.isEmpty)
        for field in MessagesVectorTests.fields {
            expectError(.trailingBytes(count: 1)) { _ = try field.roundTrip(field.bytes(vectors[0]) + [0]) }
            expectError(.trailingBytes(count: 3)) { _ = try field.roundTrip(field.bytes(vectors[1]) + [1, 2, 3]) }
        }
    }

    @Test(arguments: [0x0000, 0x0006, 0x00FF, 0xFFFF] as [UInt16])
    func unknownWireFormatIsRefused(_ format: UInt16) throws {
        var bytes = try #require(vectors.first).mlsWelcome
        bytes[2] = UInt8(format >> 8)
        bytes[3] = UInt8(format & 0xFF)
        expectError(.invalidValue("unknown wire format \(format)")) { _ = try MLSMessage.decode(bytes) }
    }

    @Test func versionOtherThanMLS10IsRefused() throws {
        var message = try #require(vectors.first).mlsGroupInfo
        message[1] = 2
        expectError(.invalidValue("MLSMessage version 2, not mls10")) { _ = try MLSMessage.decode(message) }

        var groupInfo = try #require(vectors.first).mlsGroupInfo
        groupInfo[5] = 0  // the GroupContext's version, after MLSMessage's version and wire format
        expectError(.invalidValue("GroupContext version 0, not mls10")) { _ = try MLSMessage.decode(groupInfo) }
    }

    /// The presence byte of `Commit.path`, `GroupSecrets.path_secret` and the ratchet tree's first node.
    @Test(arguments: [2, 0x80, 0xFF] as [UInt8])
    func invalidOptionalPresenceByteIsRefused(_ presence: UInt8) throws {
        let vector = try #require(vectors.first)
        let error = MLSError.Kind.invalidValue("optional presence byte \(presence)")

        var commitBytes = vector.commit
        let commit = try Commit.decode(commitBytes)
        var proposals = TLSWriter()
        proposals.writeVector(commit.proposals)
        commitBytes[proposals.bytes.count] = presence
        expectError(error) { _ = try Commit.decode(commitBytes) }

        var secretsBytes = vector.groupSecrets
        let secrets = try GroupSecrets.decode(secretsBytes)
        var joiner = TLSWriter()
        joiner.writeOpaque(secrets.joinerSecret)
        secretsBytes[joiner.bytes.count] = presence
        expectError(error) { _ = try GroupSecrets.decode(secretsBytes) }

        var treeBytes = vector.ratchetTree
        var header = TLSReader(treeBytes)
        _ = try header.readVarint()
        treeBytes[header.position] = presence
        expectError(error) { _ = try RatchetTree.decode(treeBytes) }
    }

    /// Random byte flips: each mutated struct either fails with an `MLSError` or decodes to a value that re-encodes
    /// to exactly the mutated bytes (the decoder accepts only canonical encodings).
    @Test func randomByteFlipsThrowOrRoundTrip() throws {
        try #require(vectors.count == MessagesVectorTests.entryCount)
        var generator = DeterministicGenerator(seed: 0x4D4C_5331)
        var refusedCount = 0
        var acceptedCount = 0
        for vector in vectors.prefix(60) {
            for field in MessagesVectorTests.fields {
                let original = field.bytes(vector)
                for _ in 0..<8 {
                    var mutated = original
                    let flips = Int.random(in: 1...3, using: &generator)
                    for _ in 0..<flips {
                        let index = Int.random(in: 0..<mutated.count, using: &generator)
                        mutated[index] ^= UInt8.random(in: 1...255, using: &generator)
                    }
                    do {
                        let (_, encoded) = try field.roundTrip(mutated)
                        #expect(encoded == mutated, "\(field.name): accepted bytes re-encode differently")
                        acceptedCount += 1
                    } catch is MLSError {
                        refusedCount += 1
                    }
                }
            }
        }
        #expect(refusedCount + acceptedCount == 60 * 17 * 8)
        #expect(refusedCount > 0 && acceptedCount > 0)
    }
}
