import KalandraMLS
import PropertyBased
import Testing

/// Wire structs built from random field values encode and decode to equal values, and every strict prefix of their
/// encoding is refused as truncated.
@Suite struct WireStructPropertyTests {
    static let bytes = Gen.uint8().array(of: 0...48)
    static let leafIndex = Gen.uint32(in: 0...LeafIndex.maximum).map { LeafIndex(rawValue: $0)! }

    static let lifetime = zip(Gen.uint64(), Gen.uint64()).map { Lifetime(notBeforeSeconds: $0, notAfterSeconds: $1) }

    static let capabilities = zip(
        Gen.uint16().array(of: 0...4),
        Gen.uint16().array(of: 0...4),
        Gen.uint16().array(of: 0...4),
        Gen.uint16().array(of: 0...4),
        Gen.uint16().array(of: 0...4)
    ).map { versions, suites, extensions, proposals, credentials in
        Capabilities(
            versions: versions.map(ProtocolVersion.init(rawValue:)),
            cipherSuites: suites.map(CipherSuite.init(rawValue:)),
            extensions: extensions.map(ExtensionType.init(rawValue:)),
            proposals: proposals.map(ProposalType.init(rawValue:)),
            credentials: credentials.map(CredentialType.init(rawValue:))
        )
    }

    static let extensions = zip(Gen.uint16(), bytes).map {
        Extension(extensionType: ExtensionType(rawValue: $0), extensionData: $1)
    }.array(of: 0...4)

    static let credential = zip(Gen.bool, bytes, bytes.array(of: 0...3)).map { isBasic, identity, certificates in
        isBasic ? Credential.basic(identity: identity) : .x509(certificates: certificates.map(Certificate.init))
    }

    /// 0 selects an external PSK, 1...3 a resumption PSK of that usage.
    static let preSharedKeyID = zip(Gen.int(in: 0...3), bytes, Gen.uint64(), bytes).map { kind, id, epoch, nonce in
        guard let usage = ResumptionPSKUsage(rawValue: UInt8(kind)) else {
            return PreSharedKeyID(key: .external(id: id), nonce: nonce)
        }
        return PreSharedKeyID(key: .resumption(usage: usage, groupID: id, epoch: epoch), nonce: nonce)
    }

    static let sender = zip(Gen.int(in: 0...3), leafIndex, Gen.uint32()).map { kind, leaf, index -> Sender in
        switch kind {
        case 0: .member(leaf)
        case 1: .external(senderIndex: index)
        case 2: .newMemberProposal
        default: .newMemberCommit
        }
    }

    static let groupContext = zip(Gen.uint16(), bytes, Gen.uint64(), bytes, bytes, extensions).map {
        suite,
        groupID,
        epoch,
        treeHash,
        transcriptHash,
        extensions in
        GroupContext(
            cipherSuite: CipherSuite(rawValue: suite),
            groupID: groupID,
            epoch: epoch,
            treeHash: treeHash,
            confirmedTranscriptHash: transcriptHash,
            extensions: extensions
        )
    }

    /// Where to cut an encoding, as a fraction of its length.
    static let cut = Gen.int(in: 0...Int.max)

    @Test func lifetimeRoundTrips() async {
        await propertyCheck(input: Self.lifetime, Self.cut) { try expectRoundTrip($0, cutSeed: $1) }
    }

    @Test func capabilitiesRoundTrip() async {
        await propertyCheck(input: Self.capabilities, Self.cut) { try expectRoundTrip($0, cutSeed: $1) }
    }

    @Test func extensionListsRoundTrip() async {
        await propertyCheck(input: Self.extensions, Self.cut) { extensions, cutSeed in
            var writer = TLSWriter()
            writer.writeVector(extensions)
            var reader = TLSReader(writer.bytes)
            let decoded = try reader.readVector(of: Extension.self)
            #expect(decoded == extensions)
            #expect(reader.isAtEnd)
            let cut = cutSeed % writer.bytes.count
            var truncated = TLSReader(Array(writer.bytes[..<cut]))
            expectTruncated { _ = try truncated.readVector(of: Extension.self) }
        }
    }

    @Test func credentialRoundTrips() async {
        await propertyCheck(input: Self.credential, Self.cut) { try expectRoundTrip($0, cutSeed: $1) }
    }

    @Test func preSharedKeyIDRoundTrips() async {
        await propertyCheck(input: Self.preSharedKeyID, Self.cut) { try expectRoundTrip($0, cutSeed: $1) }
    }

    @Test func senderRoundTrips() async {
        await propertyCheck(input: Self.sender, Self.cut) { try expectRoundTrip($0, cutSeed: $1) }
    }

    @Test func removeProposalRoundTrips() async {
        await propertyCheck(input: Self.leafIndex, Self.cut) { leaf, cutSeed in
            let proposal = RemoveProposal(removed: leaf)
            #expect(proposal.removedLeaf == leaf)
            try expectRoundTrip(proposal, cutSeed: cutSeed)
        }
    }

    @Test func groupContextRoundTrips() async {
        await propertyCheck(input: Self.groupContext, Self.cut) { try expectRoundTrip($0, cutSeed: $1) }
    }

    /// A member sender naming a leaf index of 2^31 or more is refused, not wrapped.
    @Test func senderWithLeafIndexAboveTheMaximumIsRefused() async {
        await propertyCheck(input: Gen.uint32(in: (LeafIndex.maximum + 1)...UInt32.max)) { index in
            var writer = TLSWriter()
            SenderType.member.encode(to: &writer)
            writer.writeUInt32(index)
            expectError(.invalidValue("leaf index \(index) exceeds \(LeafIndex.maximum)")) {
                _ = try Sender.decode(writer.bytes)
            }
        }
    }

    /// `value` decodes from its encoding to an equal value, and the encoding cut at `cutSeed` modulo its length is
    /// refused as truncated.
    private func expectRoundTrip<Value: TLSCodable & Equatable>(
        _ value: Value,
        cutSeed: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let encoded = value.encoded()
        #expect(try Value.decode(encoded) == value, sourceLocation: sourceLocation)
        let cut = cutSeed % encoded.count
        expectTruncated(sourceLocation: sourceLocation) { _ = try Value.decode(Array(encoded[..<cut])) }
    }

    /// Records an issue unless `body` throws `truncated` (with any count).
    private func expectTruncated(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("a truncated encoding was accepted", sourceLocation: sourceLocation)
        } catch let error as MLSError {
            guard case .truncated(let needed) = error.kind, needed > 0 else {
                Issue.record("expected truncated, got \(error)", sourceLocation: sourceLocation)
                return
            }
        } catch {
            Issue.record("expected MLSError truncated, got \(error)", sourceLocation: sourceLocation)
        }
    }
}
