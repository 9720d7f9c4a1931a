import Foundation
import GRPCCore
import KalandraInterop
import SwiftProtobuf

/// The steps that span several members, each as the Go runner plays it.
extension ScenarioRunner {
    /// Creates the group and, with `members`, adds them by value in one commit and has them join.
    mutating func createGroup(_ index: Int, actor: String, members: [String]) async throws {
        let groupID = Data(UUID().uuidString.utf8)
        let created = try await client(actor).createGroup(
            .with {
                $0.groupID = groupID
                $0.cipherSuite = cipherSuite
                $0.encryptHandshake = encryptHandshake
                $0.identity = Data(actor.utf8)
            },
            options: Self.callOptions
        )
        stateID[actor] = created.stateID
        messages[index]["group_id"] = groupID
        epochMembers = [actor]
        guard !members.isEmpty else { return }
        var transactions: [UInt32] = []
        var adds: [MlsClient_ProposalDescription] = []
        for member in members {
            let keyPackage = try await client(member).createKeyPackage(
                .with {
                    $0.cipherSuite = cipherSuite
                    $0.identity = Data(member.utf8)
                },
                options: Self.callOptions
            )
            transactions.append(keyPackage.transactionID)
            adds.append(
                .with {
                    $0.proposalType = Data("add".utf8)
                    $0.keyPackage = keyPackage.keyPackage
                }
            )
        }
        let commit = try await client(actor).commit(
            .with {
                $0.stateID = created.stateID
                $0.byValue = adds
            },
            options: Self.callOptions
        )
        let authenticator = try await handlePendingCommit(actor: actor)
        for (member, transaction) in zip(members, transactions) {
            try await join(
                member,
                transaction: transaction,
                welcome: commit.welcome,
                ratchetTree: nil,
                expecting: authenticator
            )
        }
        epochMembers = [actor] + members
    }

    /// The joiner joins by external commit from the actor's GroupInfo; the actor and `members` process it.
    mutating func externalJoin(_ index: Int, actor: String, _ step: ScenarioStep) async throws {
        guard let joiner = step.string("joiner") else { throw ScenarioError("externalJoin without a joiner") }
        let groupInfo = try await client(actor).groupInfo(
            .with {
                $0.stateID = stateID[actor] ?? 0
                $0.externalTree = step.flag("externalTree", "external_tree")
            },
            options: Self.callOptions
        )
        messages[index]["group_info"] = groupInfo.groupInfo
        messages[index]["ratchet_tree"] = groupInfo.ratchetTree
        let psks = step.ints("psks").map { pskIndex in
            MlsClient_PreSharedKey.with {
                $0.pskID = (try? message(pskIndex, "psk_id")) ?? Data()
                $0.pskSecret = (try? message(pskIndex, "psk_secret")) ?? Data()
            }
        }
        let joined = try await client(joiner).externalJoin(
            .with {
                $0.groupInfo = groupInfo.groupInfo
                $0.ratchetTree = groupInfo.ratchetTree
                $0.encryptHandshake = encryptHandshake
                $0.identity = Data(joiner.utf8)
                $0.removePrior = step.flag("removePrior")
                $0.psks = psks
            },
            options: Self.callOptions
        )
        stateID[joiner] = joined.stateID
        messages[index]["commit"] = joined.commit
        messages[index]["epoch_authenticator"] = joined.epochAuthenticator
        let members = step.strings("members") + [actor]
        for member in members {
            try await handleCommit(member, proposals: [], commit: joined.commit, expecting: joined.epochAuthenticator)
        }
        epochMembers = [joiner] + members
    }

    /// A random PSK ID and secret, stored with each of `clients` by state or transaction id.
    mutating func installExternalPSK(_ index: Int, clients names: [String]) async throws {
        var generator = SystemRandomNumberGenerator()
        let pskID = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let secret = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        messages[index]["psk_id"] = pskID
        messages[index]["psk_secret"] = secret
        for name in names {
            _ = try await client(name).storePSK(
                .with {
                    $0.stateOrTransactionID = stateID[name] ?? transactionID[name] ?? 0
                    $0.pskID = pskID
                    $0.pskSecret = secret
                },
                options: Self.callOptions
            )
        }
    }

    /// A proposal a member sends; returns the message.
    func memberProposal(actor: String, _ step: ScenarioStep) async throws -> Data {
        let client = try client(actor)
        let state = stateID[actor] ?? 0
        let options = Self.callOptions
        switch step.action {
        case "addProposal":
            let keyPackage = try message(step.int("keyPackage"), "key_package")
            return try await client.addProposal(
                .with {
                    $0.stateID = state
                    $0.keyPackage = keyPackage
                },
                options: options
            ).proposal
        case "removeProposal":
            return try await client.removeProposal(
                .with {
                    $0.stateID = state
                    $0.removedID = Data((step.string("removed") ?? "").utf8)
                },
                options: options
            ).proposal
        case "updateProposal":
            return try await client.updateProposal(.with { $0.stateID = state }, options: options).proposal
        case "externalPSKProposal":
            let pskID = try message(step.int("pskID"), "psk_id")
            return try await client.externalPSKProposal(
                .with {
                    $0.stateID = state
                    $0.pskID = pskID
                },
                options: options
            ).proposal
        case "resumptionPSKProposal":
            return try await client.resumptionPSKProposal(
                .with {
                    $0.stateID = state
                    $0.epochID = UInt64(step.int("epochID") ?? 0)
                },
                options: options
            ).proposal
        default:
            let extensions = try step.extensions()
            return try await client.groupContextExtensionsProposal(
                .with {
                    $0.stateID = state
                    $0.extensions = extensions
                },
                options: options
            ).proposal
        }
    }

    /// The `CommitRequest` of a `commit` or `fullCommit` step.
    mutating func commitRequest(actor: String, _ step: ScenarioStep) throws -> MlsClient_CommitRequest {
        let byReference = try step.ints("byReference").map { try message($0, "proposal") }
        let byValue = try step.objects("byValue").map { try proposalDescription($0) }
        return .with {
            $0.stateID = stateID[actor] ?? 0
            $0.byReference = byReference
            $0.byValue = byValue
            $0.forcePath = step.flag("force_path", "forcePath")
            $0.externalTree = step.flag("external_tree", "externalTree")
        }
    }

    /// Commit, confirm at the committer, process at `members`, join at `joiners`; all must agree.
    mutating func fullCommit(_ index: Int, actor: String, _ step: ScenarioStep) async throws {
        let request = try commitRequest(actor: actor, step)
        let commit = try await client(actor).commit(request, options: Self.callOptions)
        messages[index]["welcome"] = commit.welcome
        messages[index]["commit"] = commit.commit
        if request.externalTree { messages[index]["ratchet_tree"] = commit.ratchetTree }
        let authenticator = try await handlePendingCommit(actor: actor)
        messages[index]["epoch_authenticator"] = authenticator
        let members = step.strings("members")
        for member in members {
            try await handleCommit(
                member,
                proposals: request.byReference,
                commit: commit.commit,
                expecting: authenticator
            )
        }
        let joiners = step.strings("joiners")
        for joiner in joiners {
            guard let transaction = transactionID[joiner] else {
                throw ScenarioError("malformed step: no transaction for \(joiner)")
            }
            try await join(
                joiner,
                transaction: transaction,
                welcome: commit.welcome,
                ratchetTree: request.externalTree ? commit.ratchetTree : nil,
                expecting: authenticator
            )
        }
        epochMembers = [actor] + members + joiners
    }

    // MARK: - One member's part

    /// Confirms the actor's pending commit; returns the new epoch's authenticator.
    mutating func handlePendingCommit(actor: String) async throws -> Data {
        let response = try await client(actor).handlePendingCommit(
            .with { $0.stateID = stateID[actor] ?? 0 },
            options: Self.callOptions
        )
        stateID[actor] = response.stateID
        return response.epochAuthenticator
    }

    mutating func handleCommit(
        _ member: String,
        proposals: [Data],
        commit: Data,
        expecting authenticator: Data
    )
        async throws
    {
        let response = try await client(member).handleCommit(
            .with {
                $0.stateID = stateID[member] ?? 0
                $0.proposal = proposals
                $0.commit = commit
            },
            options: Self.callOptions
        )
        try Self.expectAgreement(response.epochAuthenticator, authenticator, member: member)
        stateID[member] = response.stateID
    }

    mutating func join(
        _ joiner: String,
        transaction: UInt32,
        welcome: Data,
        ratchetTree: Data?,
        expecting authenticator: Data
    ) async throws {
        let response = try await client(joiner).joinGroup(
            .with {
                $0.transactionID = transaction
                $0.welcome = welcome
                $0.encryptHandshake = encryptHandshake
                $0.identity = Data(joiner.utf8)
                if let ratchetTree { $0.ratchetTree = ratchetTree }
            },
            options: Self.callOptions
        )
        try Self.expectAgreement(response.epochAuthenticator, authenticator, member: joiner)
        stateID[joiner] = response.stateID
    }
}
