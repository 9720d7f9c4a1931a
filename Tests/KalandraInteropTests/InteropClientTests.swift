import Foundation
import GRPCCore
import KalandraInterop
import SwiftProtobuf
import Testing

/// The service's answers outside the scenarios: ids, bounds, errors as statuses, and the runner's own failures.
@Suite struct InteropClientTests {
    /// The gRPC status code `body` fails with, or nil when it succeeds.
    static func code(_ body: @Sendable () async throws -> Void) async -> RPCError.Code? {
        do {
            try await body()
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            Issue.record("not a gRPC status: \(error)")
            return nil
        }
    }

    static func createGroup(_ client: InteropRPCClient, identity: String) async throws -> UInt32 {
        try await client.createGroup(
            .with {
                $0.groupID = Data("group".utf8)
                $0.cipherSuite = 1
                $0.identity = Data(identity.utf8)
            }
        ).stateID
    }

    @Test func nameAndSuites() async throws {
        try await InteropServers.withTwo { client, _ in
            let name = try await client.name(.init()).name
            let suites = try await client.supportedCiphersuites(.init()).ciphersuites
            #expect(name == "Kalandra")
            #expect(suites == [1, 3])
        }
    }

    @Test func idsAreCheckedAndFreed() async throws {
        try await InteropServers.withTwo { client, _ in
            let state = try await Self.createGroup(client, identity: "alice")
            let keyPackage = try await client.createKeyPackage(
                .with {
                    $0.cipherSuite = 1
                    $0.identity = Data("bob".utf8)
                }
            )
            #expect(
                !keyPackage.initPriv.isEmpty && !keyPackage.encryptionPriv.isEmpty && !keyPackage.signaturePriv.isEmpty
            )
            #expect(await Self.code { _ = try await client.stateAuth(.with { $0.stateID = 999 }) } == .notFound)
            #expect(
                await Self.code { _ = try await client.stateAuth(.with { $0.stateID = keyPackage.transactionID }) }
                    == .failedPrecondition
            )
            _ = try await client.free(.with { $0.stateID = state })
            #expect(await Self.code { _ = try await client.stateAuth(.with { $0.stateID = state }) } == .notFound)
            // A PSK can be stored with a transaction as well as with a state.
            _ = try await client.storePSK(
                .with {
                    $0.stateOrTransactionID = keyPackage.transactionID
                    $0.pskID = Data([1])
                    $0.pskSecret = Data([2])
                }
            )
        }
    }

    @Test func theTableIsBounded() async throws {
        try await InteropServers.withTwo(maximumEntries: 2) { client, _ in
            let first = try await Self.createGroup(client, identity: "alice")
            _ = try await Self.createGroup(client, identity: "bob")
            #expect(await Self.code { _ = try await Self.createGroup(client, identity: "carol") } == .resourceExhausted)
            _ = try await client.free(.with { $0.stateID = first })
            _ = try await Self.createGroup(client, identity: "carol")
        }
    }

    @Test func exporterAndItsLimit() async throws {
        try await InteropServers.withTwo { client, _ in
            let state = try await Self.createGroup(client, identity: "alice")
            let exported = try await client.export(
                .with {
                    $0.stateID = state
                    $0.label = "test"
                    $0.keyLength = 32
                }
            )
            #expect(exported.exportedSecret.count == 32)
            let tooLong = await Self.code {
                _ = try await client.export(
                    .with {
                        $0.stateID = state
                        $0.keyLength = 1_000_000
                    }
                )
            }
            #expect(tooLong == .invalidArgument)
        }
    }

    @Test func engineErrorsBecomeStatuses() async throws {
        try await InteropServers.withTwo(Self.engineErrors)
    }

    @Sendable static func engineErrors(_ client: InteropRPCClient, _: InteropRPCClient) async throws {
        let keyPackage = try await client.createKeyPackage(
            .with {
                $0.cipherSuite = 1
                $0.identity = Data("bob".utf8)
            }
        )
        let garbage: MlsClient_JoinGroupRequest = .with {
            $0.transactionID = keyPackage.transactionID
            $0.welcome = Data([0, 1, 0, 3, 0])
        }
        #expect(await Self.code { _ = try await client.joinGroup(garbage) } == .invalidArgument)
        let state = try await Self.createGroup(client, identity: "alice")
        let groupInfo = try await client.groupInfo(.with { $0.stateID = state }).groupInfo
        var damaged = groupInfo
        damaged[damaged.count - 1] ^= 1
        let badGroupInfo: MlsClient_ExternalJoinRequest = .with {
            $0.groupInfo = damaged
            $0.identity = Data("bob".utf8)
        }
        #expect(await Self.code { _ = try await client.externalJoin(badGroupInfo) } == .invalidArgument)
        let badSuite: MlsClient_CreateGroupRequest = .with {
            $0.cipherSuite = 2
            $0.identity = Data("carol".utf8)
        }
        #expect(await Self.code { _ = try await client.createGroup(badSuite) } == .invalidArgument)
    }

    /// The runner reports the step that fails: here a member unprotects its own message, which the harness rules
    /// out ("MUST NOT have been generated by the actor") and the engine refuses.
    @Test func theRunnerReportsAFailingStep() async throws {
        let steps = try [
            #"{"action": "createGroup", "actor": "alice", "members": ["bob"]}"#,
            #"{"action": "protect", "actor": "alice", "authenticatedData": "a", "plaintext": "p"}"#,
            #"{"action": "unprotect", "actor": "alice", "ciphertext": 1}"#,
        ].map { try ScenarioStep(JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))) }
        let failedStep = try await InteropServers.withTwo { first, second in
            var runner = ScenarioRunner(
                clients: ["alice": first, "bob": second],
                cipherSuite: 1,
                encryptHandshake: false,
                commonSuites: [1]
            )
            do {
                try await runner.run(steps)
                return -1
            } catch let failure as StepFailure {
                return failure.index
            }
        }
        #expect(failedStep == 2)
    }
}
