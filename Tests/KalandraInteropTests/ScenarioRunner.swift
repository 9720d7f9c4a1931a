import Foundation
import GRPCCore
import KalandraInterop
import SwiftProtobuf

/// Plays one script of a scenario config against interop clients, step by step as the working group's Go
/// test-runner does (`interop/test-runner/main.go`, `RunStep`): the same RPCs in the same order, the same values
/// kept per step (`key_package`, `proposal`, `commit`, `welcome`, `psk_id`, ...), and the same epoch-authenticator
/// comparisons. Beyond the Go runner it compares `StateAuth` of every member of the current epoch after every step.
struct ScenarioRunner {
    /// Who plays each actor.
    let clients: [String: InteropRPCClient]
    /// The suite the script runs in; a ReInit that changes suite moves it on, as in the Go runner.
    var cipherSuite: UInt32
    /// Whether members send handshakes as PrivateMessages.
    let encryptHandshake: Bool
    /// The suites every client supports, for ReInits that change suite.
    let commonSuites: [UInt32]

    var stateID: [String: UInt32] = [:]
    var transactionID: [String: UInt32] = [:]
    var signerID: [String: UInt32] = [:]
    /// What each step produced, by the Go runner's keys.
    var messages: [[String: Data]] = []
    /// The actors whose states are in the group's current epoch: set by each step that moves the group, compared
    /// after every step. The low-level steps (`commit`, `handleCommit`, ...) leave members in different epochs on
    /// purpose, so they clear it.
    var epochMembers: [String] = []

    /// Bounds every RPC, so a stuck server fails the test instead of hanging it.
    static let callOptions: CallOptions = {
        var options = CallOptions.defaults
        options.timeout = .seconds(60)
        return options
    }()

    /// The actors of `steps` in order of first appearance, as the Go runner's `Script.Actors` collects them.
    static func actors(of steps: [ScenarioStep]) -> [String] {
        var actors: [String] = []
        func note(_ name: String?) {
            if let name, !name.isEmpty, !actors.contains(name) { actors.append(name) }
        }
        for step in steps {
            note(step.actor)
            switch step.action {
            case "createGroup": step.strings("members").forEach(note)
            case "externalJoin", "newMemberAddProposal": note(step.string("joiner"))
            case "addExternalSigner": note(step.string("signer"))
            default: break
            }
        }
        return actors
    }

    /// Plays `steps`; throws `StepFailure` naming the first step that failed.
    mutating func run(_ steps: [ScenarioStep]) async throws {
        messages = Array(repeating: [:], count: steps.count)
        for (index, step) in steps.enumerated() {
            do {
                try await runStep(index, step)
                try await verifyStateAuth()
            } catch {
                throw StepFailure(index: index, action: step.action ?? "?", underlying: error)
            }
        }
    }

    mutating func runStep(_ index: Int, _ step: ScenarioStep) async throws {
        let actor = step.actor ?? ""
        switch step.action {
        case "createGroup": try await createGroup(index, actor: actor, members: step.strings("members"))
        case "createKeyPackage":
            let response = try await client(actor).createKeyPackage(
                .with {
                    $0.cipherSuite = cipherSuite
                    $0.identity = Data(actor.utf8)
                },
                options: Self.callOptions
            )
            transactionID[actor] = response.transactionID
            messages[index]["key_package"] = response.keyPackage
        case "joinGroup":
            let response = try await client(actor).joinGroup(
                .with {
                    $0.transactionID = transactionID[actor] ?? 0
                    $0.welcome = (try? message(step.int("welcome"), "welcome")) ?? Data()
                    $0.encryptHandshake = encryptHandshake
                    $0.identity = Data(actor.utf8)
                },
                options: Self.callOptions
            )
            stateID[actor] = response.stateID
            epochMembers = []
        case "externalJoin": try await externalJoin(index, actor: actor, step)
        case "installExternalPSK": try await installExternalPSK(index, clients: step.strings("clients"))
        case "groupInfo":
            let response = try await client(actor).groupInfo(
                .with {
                    $0.stateID = stateID[actor] ?? 0
                    $0.externalTree = step.flag("externalTree", "external_tree")
                },
                options: Self.callOptions
            )
            messages[index]["group_info"] = response.groupInfo
            messages[index]["ratchet_tree"] = response.ratchetTree
        case "addProposal", "removeProposal", "updateProposal", "externalPSKProposal", "resumptionPSKProposal",
            "groupContextExtensionsProposal":
            messages[index]["proposal"] = try await memberProposal(actor: actor, step)
        case "fullCommit": try await fullCommit(index, actor: actor, step)
        case "commit":
            let response = try await client(actor).commit(
                try commitRequest(actor: actor, step),
                options: Self.callOptions
            )
            messages[index]["commit"] = response.commit
            messages[index]["welcome"] = response.welcome
            messages[index]["ratchet_tree"] = response.ratchetTree
            epochMembers = []
        case "handleCommit":
            let response = try await client(actor).handleCommit(
                .with {
                    $0.stateID = stateID[actor] ?? 0
                    $0.proposal = (try? step.ints("byReference").map { try message($0, "proposal") }) ?? []
                    $0.commit = (try? message(step.int("commit"), "commit")) ?? Data()
                },
                options: Self.callOptions
            )
            stateID[actor] = response.stateID
            epochMembers = []
        case "handlePendingCommit":
            let response = try await client(actor).handlePendingCommit(
                .with { $0.stateID = stateID[actor] ?? 0 },
                options: Self.callOptions
            )
            stateID[actor] = response.stateID
            epochMembers = []
        case "protect":
            let authenticatedData = Data((step.string("authenticatedData") ?? "").utf8)
            let plaintext = Data((step.string("plaintext") ?? "").utf8)
            let response = try await client(actor).protect(
                .with {
                    $0.stateID = stateID[actor] ?? 0
                    $0.authenticatedData = authenticatedData
                    $0.plaintext = plaintext
                },
                options: Self.callOptions
            )
            messages[index]["authenticatedData"] = authenticatedData
            messages[index]["plaintext"] = plaintext
            messages[index]["ciphertext"] = response.ciphertext
        case "unprotect":
            let source = step.int("ciphertext")
            let response = try await client(actor).unprotect(
                .with {
                    $0.stateID = stateID[actor] ?? 0
                    $0.ciphertext = (try? message(source, "ciphertext")) ?? Data()
                },
                options: Self.callOptions
            )
            guard response.authenticatedData == (try message(source, "authenticatedData")) else {
                throw ScenarioError("incorrect authenticated data")
            }
            guard response.plaintext == (try message(source, "plaintext")) else {
                throw ScenarioError("incorrect plaintext")
            }
        case "reinit": try await reInit(step)
        case "branch": try await branch(actor: actor, step)
        case "newMemberAddProposal": try await newMemberAddProposal(index, actor: actor, joiner: step.string("joiner"))
        case "addExternalSigner": try await addExternalSigner(index, actor: actor, signer: step.string("signer"))
        case "externalSignerProposal": try await externalSignerProposal(index, actor: actor, step)
        case let other: throw ScenarioError("unknown action \(other ?? "nil")")
        }
    }

    // MARK: - Helpers

    func client(_ actor: String?) throws -> InteropRPCClient {
        guard let actor, let client = clients[actor] else { throw ScenarioError("no client plays \(actor ?? "nil")") }
        return client
    }

    /// What step `index` produced under `key`.
    func message(_ index: Int?, _ key: String) throws -> Data {
        guard let index, messages.indices.contains(index), let value = messages[index][key] else {
            throw ScenarioError("no \(key) at step \(index.map(String.init) ?? "nil")")
        }
        return value
    }

    /// Requires `authenticator` of `member` to equal the committer's.
    static func expectAgreement(_ authenticator: Data, _ expected: Data, member: String) throws {
        guard !expected.isEmpty, authenticator == expected else {
            throw ScenarioError("member [\(member)] failed to agree on epoch authenticator")
        }
    }

    /// Every actor of the current epoch reports the same `StateAuth`.
    func verifyStateAuth() async throws {
        var first: (actor: String, secret: Data)?
        for actor in epochMembers {
            let response = try await client(actor).stateAuth(
                .with { $0.stateID = stateID[actor] ?? 0 },
                options: Self.callOptions
            )
            guard !response.stateAuthSecret.isEmpty else { throw ScenarioError("[\(actor)] has an empty state auth") }
            if let first, first.secret != response.stateAuthSecret {
                throw ScenarioError("[\(actor)] and [\(first.actor)] disagree on state auth")
            }
            if first == nil { first = (actor, response.stateAuthSecret) }
        }
    }

    /// The group ID of the script's group, changed when asked (Go runner's `NewGroupID`).
    func newGroupID(changing: Bool) throws -> Data {
        let groupID = try message(0, "group_id")
        return changing ? groupID + Data("++".utf8) : groupID
    }

    /// Moves to a suite every client supports other than the current one (Go runner's `ChangeCipherSuite`).
    mutating func changeCipherSuite() throws {
        guard let suite = commonSuites.first(where: { $0 != cipherSuite }) else {
            throw ScenarioError("no remaining supported ciphersuite")
        }
        cipherSuite = suite
    }

    /// The runner's `ProposalDescription` as the proto message (Go runner's `ProposalDescriptionToProto`).
    mutating func proposalDescription(_ description: ScenarioStep) throws -> MlsClient_ProposalDescription {
        let type = description.string("proposalType") ?? ""
        var proto = MlsClient_ProposalDescription()
        proto.proposalType = Data(type.utf8)
        switch type {
        case "add": proto.keyPackage = try message(description.int("keyPackage"), "key_package")
        case "remove": proto.removedID = Data((description.string("removed") ?? "").utf8)
        case "externalPSK": proto.pskID = try message(description.int("pskID"), "psk_id")
        case "resumptionPSK": proto.epochID = UInt64(description.int("epochID") ?? 0)
        case "groupContextExtensions": proto.extensions = try description.extensions()
        case "reinit":
            proto.extensions = try description.extensions()
            if description.flag("changeCipherSuite") { try changeCipherSuite() }
            proto.cipherSuite = cipherSuite
            proto.groupID = try newGroupID(changing: description.flag("changeGroupID"))
        default: throw ScenarioError("unknown proposal type [\(type)]")
        }
        return proto
    }
}

/// A step that failed, with its index in the script.
struct StepFailure: Error, CustomStringConvertible {
    let index: Int
    let action: String
    let underlying: any Error

    var description: String { "step \(index) (\(action)): \(underlying)" }
}
