import Foundation
import GRPCCore
import KalandraMLS
import SwiftProtobuf

/// Commits (§12.4): making one, which stays pending until the runner says it was accepted, and processing others'.
extension InteropClient {
    /// Processes the proposals given by reference, then commits them, the member's own pending proposals, and the
    /// proposals described by value.
    public func commit(
        request: MlsClient_CommitRequest,
        context: ServerContext
    ) async throws -> MlsClient_CommitResponse {
        try rpc { try makeCommit(request) }
    }

    /// A ReInit commit is made like any other; only what follows its confirmation differs.
    public func reInitCommit(
        request: MlsClient_CommitRequest,
        context: ServerContext
    ) async throws -> MlsClient_CommitResponse {
        try rpc { try makeCommit(request) }
    }

    public func handleCommit(
        request: MlsClient_HandleCommitRequest,
        context: ServerContext
    ) async throws -> MlsClient_HandleCommitResponse {
        try rpc {
            let member = try receiveCommit(request)
            return .with {
                $0.stateID = request.stateID
                // A member the commit removed has no new epoch to authenticate.
                if member.group.isActive { $0.epochAuthenticator = member.group.epochAuthenticator.data }
            }
        }
    }

    public func handlePendingCommit(
        request: MlsClient_HandlePendingCommitRequest,
        context: ServerContext
    ) async throws -> MlsClient_HandleCommitResponse {
        try rpc {
            let member = try withMember(request.stateID) { member in
                try member.group.confirmPendingCommit()
                return member
            }
            return .with {
                $0.stateID = request.stateID
                $0.epochAuthenticator = member.group.epochAuthenticator.data
            }
        }
    }

    public func handlePendingReInitCommit(
        request: MlsClient_HandlePendingCommitRequest,
        context: ServerContext
    ) async throws -> MlsClient_HandleReInitCommitResponse {
        try rpc {
            let member = try withMember(request.stateID) { member in
                try member.group.confirmPendingCommit()
                return member
            }
            return try startReInit(member)
        }
    }

    public func handleReInitCommit(
        request: MlsClient_HandleCommitRequest,
        context: ServerContext
    ) async throws -> MlsClient_HandleReInitCommitResponse {
        try rpc { try startReInit(receiveCommit(request)) }
    }

    // MARK: - Shared steps

    func makeCommit(_ request: MlsClient_CommitRequest) throws -> MlsClient_CommitResponse {
        guard request.byReference.count + request.byValue.count <= Self.maximumProposalsPerCommit else {
            throw InteropError.invalidRequest("more than \(Self.maximumProposalsPerCommit) proposals in one commit")
        }
        return try withMember(request.stateID) { member in
            var generator = SystemRandomNumberGenerator()
            try member.receiveProposals(request.byReference.map { [UInt8]($0) })
            let byValue = try request.byValue.map { description in
                try Self.proposal(description, tree: member.group.tree, groupID: member.group.groupID)
            }
            let output = try member.group.commit(
                CommitOptions(proposals: byValue, includePendingProposals: true, forcePath: request.forcePath),
                psks: member.psks,
                using: &generator
            )
            return .with {
                $0.commit = output.commit.data
                if let welcome = output.welcome { $0.welcome = MLSMessage(.welcome(welcome)).data }
                if request.externalTree { $0.ratchetTree = output.ratchetTree.data }
            }
        }
    }

    /// Processes the proposals and the commit of `request` and merges the commit; returns the member after it.
    func receiveCommit(_ request: MlsClient_HandleCommitRequest) throws -> MemberState {
        guard request.proposal.count <= Self.maximumProposalsPerCommit else {
            throw InteropError.invalidRequest("more than \(Self.maximumProposalsPerCommit) proposals in one commit")
        }
        return try withMember(request.stateID) { member in
            try member.receiveProposals(request.proposal.map { [UInt8]($0) })
            let message = try MLSMessage.decode(request.commit, field: "commit")
            if let pending = member.group.pendingCommitMessage, pending == message {
                // The runner echoes the member's own commit: the delivery service accepted it.
                try member.group.confirmPendingCommit()
                return member
            }
            guard case .commit(let staged) = try member.group.process(message, psks: member.psks).content else {
                throw InteropError.invalidRequest("commit is not a commit message")
            }
            try member.group.merge(staged)
            return member
        }
    }

    /// After a ReInit commit: a KeyPackage for the successor group in the suite the ReInit names, kept under a new
    /// reinit id with the closed group, whose resumption PSK links the successor to it (§11.2).
    func startReInit(_ member: MemberState) throws -> MlsClient_HandleReInitCommitResponse {
        guard let reInit = member.group.pendingReInit else {
            throw InteropError.invalidRequest("the commit carries no ReInit proposal")
        }
        var generator = SystemRandomNumberGenerator()
        let secrets = try member.signer.inSuite(reInit.cipherSuite).keyPackage(using: &generator)
        let id = try table.insert(.reInit(PendingReInit(group: member.group, secrets: secrets, psks: member.psks)))
        return .with {
            $0.reinitID = id
            $0.keyPackage = MLSMessage(.keyPackage(secrets.keyPackage)).data
            $0.epochAuthenticator = member.group.epochAuthenticator.data
        }
    }
}
