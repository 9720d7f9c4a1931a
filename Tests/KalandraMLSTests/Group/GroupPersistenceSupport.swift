import KalandraCore
import KalandraCrypto
import KalandraMLS
import KalandraMLSTesting
import Testing

extension TestClient {
    /// Replaces the group by `MLSGroup.load(group.serialized())`, expecting the loaded group to serialise to the same
    /// bytes and to report the same public state. Returns the bytes.
    @discardableResult
    mutating func reloadGroup(sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
        let original = try #require(group, "\(name) has no group", sourceLocation: sourceLocation)
        let bytes = original.serialized()
        let loaded = try MLSGroup.load(bytes)
        #expect(
            loaded.serialized() == bytes,
            "\(name): the loaded state serialises differently",
            sourceLocation: sourceLocation
        )
        #expect(loaded.epoch == original.epoch, sourceLocation: sourceLocation)
        #expect(loaded.ownLeaf == original.ownLeaf, sourceLocation: sourceLocation)
        #expect(loaded.isActive == original.isActive, sourceLocation: sourceLocation)
        #expect(loaded.context == original.context, sourceLocation: sourceLocation)
        #expect(loaded.pendingProposals == original.pendingProposals, sourceLocation: sourceLocation)
        #expect(loaded.epochAuthenticator == original.epochAuthenticator, sourceLocation: sourceLocation)
        #expect(!loaded.hasPendingCommit, sourceLocation: sourceLocation)
        group = loaded
        return bytes
    }

    /// Receives `message`, expecting application data `plaintext` from `sender` sent in `epoch`.
    mutating func expectApplication(
        _ message: MLSMessage,
        plaintext: [UInt8],
        from sender: LeafIndex,
        epoch: UInt64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let processed = try receive(message)
        guard case .application(let data) = processed.content else {
            Issue.record("\(name) received \(processed.content), not application data", sourceLocation: sourceLocation)
            return
        }
        #expect(data == plaintext, "\(name) received other application data", sourceLocation: sourceLocation)
        #expect(processed.sender == .member(sender), sourceLocation: sourceLocation)
        #expect(processed.epoch == epoch, sourceLocation: sourceLocation)
    }
}

/// The byte ranges of a group state's header: magic and format version.
enum GroupStateLayout {
    static let magic = 0..<4
    static let version = 4..<6
    static let header = 0..<6
    /// The configuration's `pastEpochCount` (`uint64`), after the header and the cipher suite and wire format.
    static let pastEpochCount = 9..<17
}
