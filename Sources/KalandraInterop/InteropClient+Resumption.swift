import Foundation
import GRPCCore
import KalandraMLS
import SwiftProtobuf

/// Groups that resume another (§11.2, §11.3): the successor of a group closed by ReInit, and branches. Each new
/// group gets a new state id; the old state stays until the runner frees it.
extension InteropClient {
    /// Creates the successor group with the owners of `key_package` and consumes the reinit id.
    public func reInitWelcome(
        request: MlsClient_ReInitWelcomeRequest,
        context: ServerContext
    ) async throws -> MlsClient_CreateSubgroupResponse {
        try rpc {
            let pending = try table.reInit(request.reinitID)
            var generator = SystemRandomNumberGenerator()
            let resumed = try pending.group.reinitialize(
                leafNode: pending.secrets.keyPackage.leafNode,
                leafPrivateKey: pending.secrets.leafPrivateKey,
                keyPackages: try request.keyPackage.map(Self.keyPackage(from:)),
                forcePath: request.forcePath,
                using: &generator
            )
            let member = MemberState(group: resumed.group, signer: pending.secrets.signer, psks: pending.psks)
            let id = try table.insert(.member(member))
            table.remove(request.reinitID)
            return Self.subgroupResponse(id: id, resumed: resumed, externalTree: request.externalTree)
        }
    }

    /// Joins the successor group with the KeyPackage handed out after the ReInit commit; consumes the reinit id.
    public func handleReInitWelcome(
        request: MlsClient_HandleReInitWelcomeRequest,
        context: ServerContext
    ) async throws -> MlsClient_JoinGroupResponse {
        try rpc {
            let pending = try table.reInit(request.reinitID)
            var psks = pending.psks
            psks.resumption.merge(pending.group.resumptionPSKs) { _, closedGroups in closedGroups }
            let member = try Self.join(
                pending.secrets,
                welcome: request.welcome,
                ratchetTree: request.ratchetTree,
                psks: psks,
                configuration: pending.group.configuration
            )
            let id = try table.insert(.member(member))
            table.remove(request.reinitID)
            return .with {
                $0.stateID = id
                $0.epochAuthenticator = member.group.epochAuthenticator.data
            }
        }
    }

    /// Branches the member's group into a new group with the owners of `key_packages` (§11.3).
    public func createBranch(
        request: MlsClient_CreateBranchRequest,
        context: ServerContext
    ) async throws -> MlsClient_CreateSubgroupResponse {
        try rpc {
            let member = try table.member(request.stateID)
            let extensions = try Self.extensions(request.extensions)
            var generator = SystemRandomNumberGenerator()
            let (leaf, leafPrivateKey) = try member.signer.leafNode(using: &generator)
            let resumed = try member.group.branch(
                newGroupID: [UInt8](request.groupID),
                extensions: extensions,
                leafNode: leaf,
                leafPrivateKey: leafPrivateKey,
                keyPackages: try request.keyPackages.map(Self.keyPackage(from:)),
                forcePath: request.forcePath,
                using: &generator
            )
            let branch = MemberState(group: resumed.group, signer: member.signer, psks: member.psks)
            let id = try table.insert(.member(branch))
            return Self.subgroupResponse(id: id, resumed: resumed, externalTree: request.externalTree)
        }
    }

    /// Joins a branch of the member's group with the transaction's KeyPackage; consumes the transaction.
    public func handleBranch(
        request: MlsClient_HandleBranchRequest,
        context: ServerContext
    ) async throws -> MlsClient_HandleBranchResponse {
        try rpc {
            let member = try table.member(request.stateID)
            let pending = try table.transaction(request.transactionID)
            var psks = member.psks
            psks.external.merge(pending.psks.external) { _, transactions in transactions }
            psks.resumption.merge(member.group.resumptionPSKs) { _, groups in groups }
            let branch = try Self.join(
                pending.secrets,
                welcome: request.welcome,
                ratchetTree: request.ratchetTree,
                psks: psks,
                configuration: member.group.configuration
            )
            let id = try table.insert(.member(branch))
            table.remove(request.transactionID)
            return .with {
                $0.stateID = id
                $0.epochAuthenticator = branch.group.epochAuthenticator.data
            }
        }
    }

    static func subgroupResponse(
        id: UInt32,
        resumed: ResumedGroup,
        externalTree: Bool
    ) -> MlsClient_CreateSubgroupResponse {
        .with {
            $0.stateID = id
            $0.welcome = MLSMessage(.welcome(resumed.welcome)).data
            if externalTree { $0.ratchetTree = resumed.group.tree.ratchetTree.data }
            $0.epochAuthenticator = resumed.group.epochAuthenticator.data
        }
    }
}
