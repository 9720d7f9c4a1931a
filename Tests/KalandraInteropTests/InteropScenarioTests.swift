import GRPCCore
import KalandraInterop
import SwiftProtobuf
import Testing

/// The working group's interop scenarios (Scenarios/*.json), played between two instances of our interop server.
/// Each script runs in every supported suite, with handshakes in the clear and encrypted, and with the actors
/// assigned alternately to the two servers and then the other way round, so that each side plays each role.
@Suite(.serialized) struct InteropScenarioTests {
    @Test func welcomeJoin() async throws { try await Self.play("welcome_join") }
    @Test func application() async throws { try await Self.play("application") }
    @Test func commit() async throws { try await Self.play("commit") }
    @Test func externalJoin() async throws { try await Self.play("external_join") }
    @Test func externalProposals() async throws { try await Self.play("external_proposals") }
    @Test func reinit() async throws { try await Self.play("reinit") }
    @Test func branch() async throws { try await Self.play("branch") }

    /// One way to run a script.
    struct Variant: CustomStringConvertible {
        let cipherSuite: UInt32
        let encryptHandshake: Bool
        /// 0: the first actor on server A, the second on B, and so on; 1: the reverse.
        let rotation: Int

        var description: String {
            "suite \(cipherSuite), \(encryptHandshake ? "private" : "public") handshakes, first actor on server "
                + (rotation == 0 ? "A" : "B")
        }
    }

    /// Plays every script of `Scenarios/<name>.json` in every variant and records each failing run.
    static func play(_ name: String) async throws {
        let config = try ScenarioConfig.load(name)
        let failures = try await InteropServers.withTwo { first, second in
            let servers = [first, second]
            let firstSuites = try await first.supportedCiphersuites(.init()).ciphersuites
            let secondSuites = try await second.supportedCiphersuites(.init()).ciphersuites
            let commonSuites = firstSuites.filter(secondSuites.contains)
            var failures: [String: [String]] = [:]
            for (script, steps) in config.scripts {
                let actors = ScenarioRunner.actors(of: steps)
                for suite in commonSuites {
                    for encrypt in [false, true] {
                        for rotation in 0..<2 {
                            let variant = Variant(cipherSuite: suite, encryptHandshake: encrypt, rotation: rotation)
                            var clients: [String: InteropRPCClient] = [:]
                            for (position, actor) in actors.enumerated() {
                                clients[actor] = servers[(position + rotation) % servers.count]
                            }
                            var runner = ScenarioRunner(
                                clients: clients,
                                cipherSuite: suite,
                                encryptHandshake: encrypt,
                                commonSuites: commonSuites
                            )
                            do {
                                try await runner.run(steps)
                            } catch {
                                failures[script, default: []].append("\(name)/\(script) [\(variant)]: \(error)")
                            }
                        }
                    }
                }
            }
            return failures
        }
        for (script, _) in config.scripts {
            for failure in failures[script] ?? [] { Issue.record("\(failure)") }
        }
    }
}
