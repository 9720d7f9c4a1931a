import Foundation
import GRPCCore
import KalandraMLS
import SwiftProtobuf

/// Proposals a member sends (§12.1), and the runner's `ProposalDescription`s of proposals a commit or an external
/// sender carries by value.
extension InteropClient {
    public func addProposal(
        request: MlsClient_AddProposalRequest,
        context: ServerContext
    ) async throws -> MlsClient_ProposalResponse {
        try rpc {
            let keyPackage = try Self.keyPackage(from: request.keyPackage)
            return try propose(.add(AddProposal(keyPackage: keyPackage)), as: request.stateID)
        }
    }

    public func updateProposal(
        request: MlsClient_UpdateProposalRequest,
        context: ServerContext
    ) async throws -> MlsClient_ProposalResponse {
        try rpc {
            try withMember(request.stateID) { member in
                var generator = SystemRandomNumberGenerator()
                let message = try member.group.proposeUpdate(using: &generator)
                return .with { $0.proposal = Data(member.noteSent(message)) }
            }
        }
    }

    public func removeProposal(
        request: MlsClient_RemoveProposalRequest,
        context: ServerContext
    ) async throws -> MlsClient_ProposalResponse {
        try rpc {
            let leaf = try table.member(request.stateID).leaf(ofIdentity: [UInt8](request.removedID))
            return try propose(.remove(RemoveProposal(removed: leaf)), as: request.stateID)
        }
    }

    public func externalPSKProposal(
        request: MlsClient_ExternalPSKProposalRequest,
        context: ServerContext
    ) async throws -> MlsClient_ProposalResponse {
        try rpc {
            let group = try table.member(request.stateID).group
            let psk = Self.preSharedKeyID(.external(id: [UInt8](request.pskID)), provider: group.provider)
            return try propose(.preSharedKey(PreSharedKeyProposal(psk: psk)), as: request.stateID)
        }
    }

    public func resumptionPSKProposal(
        request: MlsClient_ResumptionPSKProposalRequest,
        context: ServerContext
    ) async throws -> MlsClient_ProposalResponse {
        try rpc {
            let group = try table.member(request.stateID).group
            let psk = Self.preSharedKeyID(
                .resumption(usage: .application, groupID: group.groupID, epoch: request.epochID),
                provider: group.provider
            )
            return try propose(.preSharedKey(PreSharedKeyProposal(psk: psk)), as: request.stateID)
        }
    }

    public func groupContextExtensionsProposal(
        request: MlsClient_GroupContextExtensionsProposalRequest,
        context: ServerContext
    ) async throws -> MlsClient_ProposalResponse {
        try rpc {
            let extensions = try Self.extensions(request.extensions)
            return try propose(
                .groupContextExtensions(GroupContextExtensionsProposal(extensions: extensions)),
                as: request.stateID
            )
        }
    }

    public func reInitProposal(
        request: MlsClient_ReInitProposalRequest,
        context: ServerContext
    ) async throws -> MlsClient_ProposalResponse {
        try rpc {
            let proposal = ReInitProposal(
                groupID: [UInt8](request.groupID),
                version: .mls10,
                cipherSuite: try Self.cipherSuite(request.cipherSuite),
                extensions: try Self.extensions(request.extensions)
            )
            return try propose(.reInit(proposal), as: request.stateID)
        }
    }

    /// Sends `proposal` as the member under `id`.
    func propose(_ proposal: Proposal, as id: UInt32) throws -> MlsClient_ProposalResponse {
        try withMember(id) { member in
            var generator = SystemRandomNumberGenerator()
            let message = try member.group.propose(proposal, using: &generator)
            return .with { $0.proposal = Data(member.noteSent(message)) }
        }
    }

    // MARK: - Proposal descriptions

    /// The proposal `description` stands for, in a group with `tree` and `groupID` (members are named by identity).
    static func proposal(
        _ description: MlsClient_ProposalDescription,
        tree: RatchetTreeState,
        groupID: [UInt8]
    ) throws -> Proposal {
        switch String(decoding: description.proposalType, as: UTF8.self) {
        case "add":
            return .add(AddProposal(keyPackage: try keyPackage(from: description.keyPackage)))
        case "remove":
            let leaf = try MemberState.leaf(ofIdentity: [UInt8](description.removedID), in: tree)
            return .remove(RemoveProposal(removed: leaf))
        case "externalPSK":
            let psk = preSharedKeyID(.external(id: [UInt8](description.pskID)), provider: tree.provider)
            return .preSharedKey(PreSharedKeyProposal(psk: psk))
        case "resumptionPSK":
            let psk = preSharedKeyID(
                .resumption(usage: .application, groupID: groupID, epoch: description.epochID),
                provider: tree.provider
            )
            return .preSharedKey(PreSharedKeyProposal(psk: psk))
        case "groupContextExtensions":
            return .groupContextExtensions(
                GroupContextExtensionsProposal(extensions: try extensions(description.extensions))
            )
        case "reinit":
            return .reInit(
                ReInitProposal(
                    groupID: [UInt8](description.groupID),
                    version: .mls10,
                    cipherSuite: try cipherSuite(description.cipherSuite),
                    extensions: try extensions(description.extensions)
                )
            )
        case let other:
            throw InteropError.invalidRequest("unknown proposal_type \"\(other)\"")
        }
    }

    /// A PSK ID with a fresh `KDF.Nh`-byte nonce (§8.4).
    static func preSharedKeyID(_ key: PreSharedKeyID.Key, provider: any CipherSuiteProvider) -> PreSharedKeyID {
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<provider.kdfLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return PreSharedKeyID(key: key, nonce: nonce)
    }

    /// The runner's extensions as MLS extensions; types must fit 16 bits.
    static func extensions(_ extensions: [MlsClient_Extension]) throws -> [Extension] {
        try extensions.map { item in
            guard let type = UInt16(exactly: item.extensionType) else {
                throw InteropError.invalidRequest("extension_type \(item.extensionType) is not a 16-bit code point")
            }
            return Extension(extensionType: ExtensionType(rawValue: type), extensionData: [UInt8](item.extensionData))
        }
    }

    /// A cipher suite code point of the runner, which must fit 16 bits.
    static func cipherSuite(_ code: UInt32) throws -> CipherSuite {
        guard let code = UInt16(exactly: code) else {
            throw InteropError.invalidRequest("cipher suite \(code) is not a 16-bit code point")
        }
        return CipherSuite(rawValue: code)
    }
}
