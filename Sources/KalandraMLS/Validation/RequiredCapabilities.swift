/// `RequiredCapabilities` (RFC 9420 §11.1), the data of the `required_capabilities` group context extension: what
/// every member's capabilities must list, so that a group can rely on a non-default extension, proposal or
/// credential type.
public struct RequiredCapabilities: Sendable, Equatable, TLSCodable {
    /// `ExtensionType extension_types<V>`.
    public var extensionTypes: [ExtensionType]
    /// `ProposalType proposal_types<V>`.
    public var proposalTypes: [ProposalType]
    /// `CredentialType credential_types<V>`.
    public var credentialTypes: [CredentialType]

    /// Requirements from their lists.
    public init(extensionTypes: [ExtensionType], proposalTypes: [ProposalType], credentialTypes: [CredentialType]) {
        self.extensionTypes = extensionTypes
        self.proposalTypes = proposalTypes
        self.credentialTypes = credentialTypes
    }

    /// Reads the three lists.
    public init(from reader: inout TLSReader) throws(MLSError) {
        extensionTypes = try reader.readVector(of: ExtensionType.self)
        proposalTypes = try reader.readVector(of: ProposalType.self)
        credentialTypes = try reader.readVector(of: CredentialType.self)
    }

    /// Writes the three lists.
    public func encode(to writer: inout TLSWriter) {
        writer.writeVector(extensionTypes)
        writer.writeVector(proposalTypes)
        writer.writeVector(credentialTypes)
    }

    /// The requirements as a group context extension of type `required_capabilities`.
    public var groupContextExtension: Extension {
        Extension(extensionType: .requiredCapabilities, extensionData: encoded())
    }

    /// The requirements in `extensions`, or nil when there is no `required_capabilities` extension; throws
    /// `requiredCapabilitiesMalformed` when its data does not decode, since a group whose requirements cannot be
    /// read cannot admit anyone safely.
    public static func find(in extensions: [Extension]) throws(MLSError) -> RequiredCapabilities? {
        guard let found = extensions.first(where: { $0.extensionType == .requiredCapabilities }) else { return nil }
        do {
            return try RequiredCapabilities.decode(found.extensionData)
        } catch {
            throw MLSError(.requiredCapabilitiesMalformed, context: error.description)
        }
    }

    /// The first requirement `capabilities` does not list, in words, or nil when it lists them all. Default
    /// extension and proposal types are implied (§7.2: capabilities must not list them); credential types have no
    /// defaults (§11.1).
    func firstUnmet(by capabilities: Capabilities) -> String? {
        for type in extensionTypes
        where !type.isDefaultExtensionType && !capabilities.extensions.contains(type) {
            return "extension type \(type.rawValue)"
        }
        for type in proposalTypes where !type.isDefaultProposalType && !capabilities.proposals.contains(type) {
            return "proposal type \(type.rawValue)"
        }
        for type in credentialTypes where !capabilities.credentials.contains(type) {
            return "credential type \(type.rawValue)"
        }
        return nil
    }
}

extension ExtensionType {
    /// Whether every client supports this type, so capabilities need not (and must not) list it (§7.2).
    var isDefaultExtensionType: Bool { RatchetTreeState.defaultExtensionTypes.contains(rawValue) }
}

extension ProposalType {
    /// Whether every client supports this type, so capabilities need not (and must not) list it (§7.2): the seven
    /// types RFC 9420 defines.
    var isDefaultProposalType: Bool { (1...7).contains(rawValue) }
}

extension Array where Element == Extension {
    /// The first extension type that occurs twice, or nil (§13.4: a list holds at most one extension per type).
    /// Lists are short, so a set costs less than sorting.
    var firstRepeatedType: ExtensionType? {
        var seen: Set<ExtensionType> = []
        for item in self where !seen.insert(item.extensionType).inserted { return item.extensionType }
        return nil
    }
}
