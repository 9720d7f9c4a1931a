import Foundation
import GRPCCore
import KalandraInterop
import SwiftProtobuf

/// ReInit, branch and external proposals, as the Go runner plays them.
extension ScenarioRunner {
    /// The proposer proposes a ReInit (or an external one is taken), the committer commits it, everyone else
    /// processes it, the welcomer creates the successor group with everyone else's new KeyPackages, and they join.
    mutating func reInit(_ step: ScenarioStep) async throws {
        guard let committer = step.string("committer"), let welcomer = step.string("welcomer") else {
            throw ScenarioError("reinit needs a committer and a welcomer")
        }
        let proposer = step.string("proposer")
        let everyone = Self.unique([welcomer, committer] + step.strings("members") + (proposer.map { [$0] } ?? []))
        let notCommitter = everyone.filter { $0 != committer }
        let notWelcomer = everyone.filter { $0 != welcomer }
        let newGroupID = try newGroupID(changing: step.flag("changeGroupID"))
        if step.flag("changeCipherSuite") { try changeCipherSuite() }
        let proposal: Data
        if let proposer {
            let extensions = try step.extensions()
            proposal = try await client(proposer).reInitProposal(
                .with {
                    $0.stateID = stateID[proposer] ?? 0
                    $0.cipherSuite = cipherSuite
                    $0.groupID = newGroupID
                    $0.extensions = extensions
                },
                options: Self.callOptions
            ).proposal
        } else {
            proposal = try message(step.int("externalReinitProposal"), "proposal")
        }

        let commit = try await client(committer).reInitCommit(
            .with {
                $0.stateID = stateID[committer] ?? 0
                $0.byReference = [proposal]
            },
            options: Self.callOptions
        )
        var reInitIDs: [String: UInt32] = [:]
        var keyPackages: [String: Data] = [:]
        let pending = try await client(committer).handlePendingReInitCommit(
            .with { $0.stateID = stateID[committer] ?? 0 },
            options: Self.callOptions
        )
        reInitIDs[committer] = pending.reinitID
        keyPackages[committer] = pending.keyPackage
        for member in notCommitter {
            let response = try await client(member).handleReInitCommit(
                .with {
                    $0.stateID = stateID[member] ?? 0
                    $0.proposal = [proposal]
                    $0.commit = commit.commit
                },
                options: Self.callOptions
            )
            try Self.expectAgreement(response.epochAuthenticator, pending.epochAuthenticator, member: member)
            reInitIDs[member] = response.reinitID
            keyPackages[member] = response.keyPackage
        }

        let externalTree = step.flag("externalTree", "external_tree")
        let welcome = try await client(welcomer).reInitWelcome(
            .with {
                $0.reinitID = reInitIDs[welcomer] ?? 0
                $0.keyPackage = notWelcomer.compactMap { keyPackages[$0] }
                $0.forcePath = step.flag("forcePath", "force_path")
                $0.externalTree = externalTree
            },
            options: Self.callOptions
        )
        stateID[welcomer] = welcome.stateID
        for member in notWelcomer {
            let response = try await client(member).handleReInitWelcome(
                .with {
                    $0.reinitID = reInitIDs[member] ?? 0
                    $0.welcome = welcome.welcome
                    if externalTree { $0.ratchetTree = welcome.ratchetTree }
                },
                options: Self.callOptions
            )
            try Self.expectAgreement(response.epochAuthenticator, welcome.epochAuthenticator, member: member)
            stateID[member] = response.stateID
        }
        epochMembers = everyone
    }

    /// The actor branches the group with fresh KeyPackages of `members`, who join the branch.
    mutating func branch(actor: String, _ step: ScenarioStep) async throws {
        let members = step.strings("members")
        var transactions: [String: UInt32] = [:]
        var keyPackages: [Data] = []
        for member in members {
            let response = try await client(member).createKeyPackage(
                .with {
                    $0.cipherSuite = cipherSuite
                    $0.identity = Data(member.utf8)
                },
                options: Self.callOptions
            )
            transactions[member] = response.transactionID
            keyPackages.append(response.keyPackage)
        }
        // The Go runner reads `force_path` and `external_tree` here while branch.json spells `forcePath` and
        // `externalTree`, so it never sets them; this runner honours both spellings.
        let externalTree = step.flag("externalTree", "external_tree")
        let extensions = try step.extensions()
        let branch = try await client(actor).createBranch(
            .with {
                $0.stateID = stateID[actor] ?? 0
                $0.groupID = Data(UUID().uuidString.utf8)
                $0.extensions = extensions
                $0.keyPackages = keyPackages
                $0.forcePath = step.flag("forcePath", "force_path")
                $0.externalTree = externalTree
            },
            options: Self.callOptions
        )
        stateID[actor] = branch.stateID
        for member in members {
            let response = try await client(member).handleBranch(
                .with {
                    $0.stateID = stateID[member] ?? 0
                    $0.transactionID = transactions[member] ?? 0
                    $0.welcome = branch.welcome
                    if externalTree { $0.ratchetTree = branch.ratchetTree }
                },
                options: Self.callOptions
            )
            try Self.expectAgreement(response.epochAuthenticator, branch.epochAuthenticator, member: member)
            stateID[member] = response.stateID
        }
        epochMembers = [actor] + members
    }

    /// The joiner asks to be added to the actor's group by a self-signed Add.
    mutating func newMemberAddProposal(_ index: Int, actor: String, joiner: String?) async throws {
        guard let joiner else { throw ScenarioError("newMemberAddProposal without a joiner") }
        let groupInfo = try await client(actor).groupInfo(
            .with { $0.stateID = stateID[actor] ?? 0 },
            options: Self.callOptions
        )
        let response = try await client(joiner).newMemberAddProposal(
            .with {
                $0.groupInfo = groupInfo.groupInfo
                $0.identity = Data(joiner.utf8)
            },
            options: Self.callOptions
        )
        transactionID[joiner] = response.transactionID
        messages[index]["proposal"] = response.proposal
    }

    /// The signer is created, and the actor proposes adding it to the group's external senders.
    mutating func addExternalSigner(_ index: Int, actor: String, signer: String?) async throws {
        guard let signer else { throw ScenarioError("addExternalSigner without a signer") }
        let created = try await client(signer).createExternalSigner(
            .with {
                $0.cipherSuite = cipherSuite
                $0.identity = Data(signer.utf8)
            },
            options: Self.callOptions
        )
        signerID[signer] = created.signerID
        messages[index]["proposal"] = try await client(actor).addExternalSigner(
            .with {
                $0.stateID = stateID[actor] ?? 0
                $0.externalSender = created.externalSender
            },
            options: Self.callOptions
        ).proposal
    }

    /// The external signer (the actor) signs the described proposal for the group `member` describes.
    mutating func externalSignerProposal(_ index: Int, actor: String, _ step: ScenarioStep) async throws {
        guard let member = step.string("member"), let description = step.object("description") else {
            throw ScenarioError("externalSignerProposal needs a member and a description")
        }
        let groupInfo = try await client(member).groupInfo(
            .with {
                $0.stateID = stateID[member] ?? 0
                $0.externalTree = true
            },
            options: Self.callOptions
        )
        let proto = try proposalDescription(description)
        messages[index]["proposal"] = try await client(actor).externalSignerProposal(
            .with {
                $0.signerID = signerID[actor] ?? 0
                $0.groupInfo = groupInfo.groupInfo
                $0.ratchetTree = groupInfo.ratchetTree
                $0.description_p = proto
            },
            options: Self.callOptions
        ).proposal
    }

    /// `names` without repeats, in order.
    static func unique(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }
}
