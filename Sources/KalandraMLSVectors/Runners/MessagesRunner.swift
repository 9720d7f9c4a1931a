import KalandraMLS

/// The fields of messages.json and how each is decoded, checked for its kind, and re-encoded. Public so that tests
/// can feed the same decoders truncated and mutated input.
public enum MessagesVectors {
    /// A field of an entry: its JSON name, its bytes, and how to decode it, check what kind of value it is, and
    /// re-encode it.
    public struct Field: Sendable {
        /// The JSON key.
        public let name: String
        /// The field's bytes in an entry.
        public let bytes: @Sendable (MessagesVectorEntry) -> [UInt8]
        /// Decodes, checks the kind (returning a description of the mismatch, if any), and re-encodes; throws the
        /// decoder's `MLSError`.
        public let roundTrip: @Sendable ([UInt8]) throws -> (mismatch: String?, encoded: [UInt8])
    }

    /// The value's encoding, with no kind to check.
    static func plain<Value: TLSCodable & SendableMetatype>(
        _ type: Value.Type
    ) -> @Sendable ([UInt8]) throws -> (String?, [UInt8]) {
        { bytes in (nil, try Value.decode(bytes).encoded()) }
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

    /// The 17 fields, in file order.
    public static let fields: [Field] = [
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
}

/// messages.json: every field of every entry decodes with its RFC 9420 struct, is the kind of value its name says,
/// and re-encodes to the same bytes.
enum MessagesRunner: EntryRunner {
    typealias Entry = MessagesVectorEntry

    static func cipherSuite(of entry: Entry) -> UInt16? { nil }

    /// Checks the 17 fields; the items are fields that round-trip.
    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        var roundTripped = 0
        for field in MessagesVectors.fields {
            let bytes = field.bytes(entry)
            do {
                let (mismatch, encoded) = try field.roundTrip(bytes)
                if let mismatch { check.record("\(field.name): \(mismatch)") }
                check.expect(encoded == bytes, "\(field.name) re-encodes differently")
                if mismatch == nil && encoded == bytes { roundTripped += 1 }
            } catch {
                check.record("\(field.name): \(error)")
            }
        }
        return roundTripped
    }
}
