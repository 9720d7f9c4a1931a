import KalandraMLS
import Testing

/// messages.json: every field of every entry decodes with its RFC 9420 struct and re-encodes to the same bytes.
@Suite struct MessagesVectorTests {
    /// One entry of messages.json: 17 serialised structs.
    struct Vector: Decodable {
        @HexEncoded var mlsWelcome: [UInt8]
        @HexEncoded var mlsGroupInfo: [UInt8]
        @HexEncoded var mlsKeyPackage: [UInt8]
        @HexEncoded var ratchetTree: [UInt8]
        @HexEncoded var groupSecrets: [UInt8]
        @HexEncoded var addProposal: [UInt8]
        @HexEncoded var updateProposal: [UInt8]
        @HexEncoded var removeProposal: [UInt8]
        @HexEncoded var preSharedKeyProposal: [UInt8]
        @HexEncoded var reInitProposal: [UInt8]
        @HexEncoded var externalInitProposal: [UInt8]
        @HexEncoded var groupContextExtensionsProposal: [UInt8]
        @HexEncoded var commit: [UInt8]
        @HexEncoded var publicMessageApplication: [UInt8]
        @HexEncoded var publicMessageProposal: [UInt8]
        @HexEncoded var publicMessageCommit: [UInt8]
        @HexEncoded var privateMessage: [UInt8]
    }

    /// A field of an entry: its name, its bytes, and how to decode it, check what kind of value it is, and
    /// re-encode it.
    struct Field: Sendable {
        let name: String
        let bytes: @Sendable (Vector) -> [UInt8]
        /// Decodes, checks the kind (returning a description of the mismatch, if any), and re-encodes.
        let roundTrip: @Sendable ([UInt8]) throws -> (mismatch: String?, encoded: [UInt8])
    }

    static let entryCount = 300

    /// The value's encoding, with no kind to check.
    static func plain<T: TLSCodable & SendableMetatype>(
        _ type: T.Type
    ) -> @Sendable ([UInt8]) throws -> (String?, [UInt8]) {
        { bytes in (nil, try T.decode(bytes).encoded()) }
    }

    /// An MLSMessage whose wire format must be `format` and whose body must satisfy `isExpected`.
    static func message(
        _ format: WireFormat,
        _ isExpected: @escaping @Sendable (MLSMessage.Body) -> Bool
    ) -> @Sendable ([UInt8]) throws -> (String?, [UInt8]) {
        { bytes in
            let message = try MLSMessage.decode(bytes)
            let isRight = message.wireFormat == format && isExpected(message.body)
            return (isRight ? nil : "expected \(format), got \(message.wireFormat)", message.encoded())
        }
    }

    /// A public message whose content type must be `contentType`.
    static func publicMessage(_ contentType: ContentType) -> @Sendable ([UInt8]) throws -> (String?, [UInt8]) {
        message(.publicMessage) { body in
            guard case .publicMessage(let message) = body else { return false }
            return message.content.contentType == contentType
        }
    }

    static let fields: [Field] = [
        Field(
            name: "mls_welcome",
            bytes: \.mlsWelcome,
            roundTrip: message(.welcome) { if case .welcome = $0 { true } else { false } }
        ),
        Field(
            name: "mls_group_info",
            bytes: \.mlsGroupInfo,
            roundTrip: message(.groupInfo) { if case .groupInfo = $0 { true } else { false } }
        ),
        Field(
            name: "mls_key_package",
            bytes: \.mlsKeyPackage,
            roundTrip: message(.keyPackage) { if case .keyPackage = $0 { true } else { false } }
        ),
        Field(name: "ratchet_tree", bytes: \.ratchetTree, roundTrip: plain(RatchetTree.self)),
        Field(name: "group_secrets", bytes: \.groupSecrets, roundTrip: plain(GroupSecrets.self)),
        Field(name: "add_proposal", bytes: \.addProposal, roundTrip: plain(AddProposal.self)),
        Field(name: "update_proposal", bytes: \.updateProposal, roundTrip: plain(UpdateProposal.self)),
        Field(name: "remove_proposal", bytes: \.removeProposal, roundTrip: plain(RemoveProposal.self)),
        Field(
            name: "pre_shared_key_proposal",
            bytes: \.preSharedKeyProposal,
            roundTrip: plain(PreSharedKeyProposal.self)
        ),
        Field(name: "re_init_proposal", bytes: \.reInitProposal, roundTrip: plain(ReInitProposal.self)),
        Field(
            name: "external_init_proposal",
            bytes: \.externalInitProposal,
            roundTrip: plain(ExternalInitProposal.self)
        ),
        Field(
            name: "group_context_extensions_proposal",
            bytes: \.groupContextExtensionsProposal,
            roundTrip: plain(GroupContextExtensionsProposal.self)
        ),
        Field(name: "commit", bytes: \.commit, roundTrip: plain(Commit.self)),
        Field(
            name: "public_message_application",
            bytes: \.publicMessageApplication,
            roundTrip: publicMessage(.application)
        ),
        Field(name: "public_message_proposal", bytes: \.publicMessageProposal, roundTrip: publicMessage(.proposal)),
        Field(name: "public_message_commit", bytes: \.publicMessageCommit, roundTrip: publicMessage(.commit)),
        Field(
            name: "private_message",
            bytes: \.privateMessage,
            roundTrip: message(.privateMessage) { if case .privateMessage = $0 { true } else { false } }
        ),
    ]

    static func loadVectors() throws -> [Vector] {
        try VectorLoader.load([Vector].self, from: "messages.json")
    }

    @Test func everyFieldOfEveryEntryRoundTripsByteForByte() throws {
        let vectors = try Self.loadVectors()
        #expect(vectors.count == Self.entryCount)
        var checkedCount = 0
        for (index, vector) in vectors.enumerated() {
            for field in Self.fields {
                let bytes = field.bytes(vector)
                do {
                    let (mismatch, encoded) = try field.roundTrip(bytes)
                    #expect(mismatch == nil, "entry \(index) \(field.name): \(mismatch ?? "")")
                    #expect(encoded == bytes, "entry \(index) \(field.name) re-encodes differently")
                    if mismatch == nil && encoded == bytes { checkedCount += 1 }
                } catch {
                    Issue.record("entry \(index) \(field.name): \(error)")
                }
            }
        }
        #expect(Self.fields.count == 17)
        #expect(checkedCount == Self.entryCount * 17)
    }
}
