import Foundation
import GRPCCore
import KalandraMLS
import SwiftProtobuf

/// Proposals from outside the group (§12.1.8): a new member asking to be added, and external senders listed in the
/// group's `external_senders` extension.
extension InteropClient {
    /// A self-signed Add of a fresh KeyPackage for the group `group_info` describes; the KeyPackage's keys are kept
    /// under a transaction id for the Welcome that follows.
    public func newMemberAddProposal(
        request: MlsClient_NewMemberAddProposalRequest,
        context: ServerContext
    ) async throws -> MlsClient_NewMemberAddProposalResponse {
        try rpc {
            var generator = SystemRandomNumberGenerator()
            let groupContext = try Self.groupInfo(from: request.groupInfo).groupContext
            let signer = try Signer(
                identity: [UInt8](request.identity),
                cipherSuite: UInt32(groupContext.cipherSuite.rawValue),
                using: &generator
            )
            let secrets = try signer.keyPackage(using: &generator)
            let proposal = try MLSGroup.newMemberAddProposal(
                keyPackage: secrets.keyPackage,
                groupID: groupContext.groupID,
                epoch: groupContext.epoch,
                signaturePrivateKey: signer.keys.privateKey,
                provider: signer.provider
            )
            let id = try table.insert(.transaction(PendingJoin(secrets: secrets, psks: .empty)))
            return .with {
                $0.transactionID = id
                $0.proposal = proposal.data
                $0.initPriv = secrets.initPrivateKey.secret.data
                $0.encryptionPriv = secrets.leafPrivateKey.secret.data
                $0.signaturePriv = signer.keys.privateKey.secret.data
            }
        }
    }

    public func createExternalSigner(
        request: MlsClient_CreateExternalSignerRequest,
        context: ServerContext
    ) async throws -> MlsClient_CreateExternalSignerResponse {
        try rpc {
            var generator = SystemRandomNumberGenerator()
            let signer = try Signer(
                identity: [UInt8](request.identity),
                cipherSuite: request.cipherSuite,
                using: &generator
            )
            let id = try table.insert(.signer(signer))
            return .with {
                $0.signerID = id
                $0.externalSender =
                    ExternalSender(signatureKey: signer.keys.publicKey, credential: signer.credential).data
            }
        }
    }

    /// A GroupContextExtensions proposal that appends `external_sender` to the group's `external_senders`.
    public func addExternalSigner(
        request: MlsClient_AddExternalSignerRequest,
        context: ServerContext
    ) async throws -> MlsClient_ProposalResponse {
        try rpc {
            let newSender = try ExternalSender.decode([UInt8](request.externalSender))
            let extensions = try table.member(request.stateID).group.context.extensions
            let senders = try ExternalSender.senders(in: extensions) + [newSender]
            let updated =
                extensions.filter { $0.extensionType != .externalSenders } + [ExternalSender.extensionValue(senders)]
            return try propose(
                .groupContextExtensions(GroupContextExtensionsProposal(extensions: updated)),
                as: request.stateID
            )
        }
    }

    /// A proposal signed by the external signer for the group `group_info` describes. The signer's index is looked
    /// up in the group's `external_senders` by its key: the runner sends `signer_index` 0 whatever the position.
    public func externalSignerProposal(
        request: MlsClient_ExternalSignerProposalRequest,
        context: ServerContext
    ) async throws -> MlsClient_ProposalResponse {
        try rpc {
            let signer = try table.signer(request.signerID)
            let groupInfo = try Self.groupInfo(from: request.groupInfo)
            let groupContext = groupInfo.groupContext
            let provider = try groupContext.cipherSuite.provider()
            let senders = try ExternalSender.senders(in: groupContext.extensions)
            guard let index = senders.firstIndex(where: { $0.signatureKey == signer.keys.publicKey }) else {
                throw InteropError.invalidRequest("the signer is not in the group's external_senders extension")
            }
            let tree = try Self.treeState(
                groupInfo: groupInfo,
                outOfBand: Self.ratchetTree(from: request.ratchetTree),
                provider: provider
            )
            let proposal = try Self.proposal(request.description_p, tree: tree, groupID: groupContext.groupID)
            let message = try MLSGroup.externalProposal(
                proposal,
                groupID: groupContext.groupID,
                epoch: groupContext.epoch,
                senderIndex: UInt32(index),
                signaturePrivateKey: signer.keys.privateKey,
                provider: provider
            )
            return .with { $0.proposal = message.data }
        }
    }
}
