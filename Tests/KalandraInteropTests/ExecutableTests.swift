import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import KalandraInterop
import SwiftProtobuf
import Testing

/// Runs the built `kalandra-mls-interop` as the working group's runner would meet it: a process on a loopback port.
@Suite struct ExecutableTests {
    /// The executable, built beside the test binary by `swift build --build-tests`.
    static func executable() throws -> URL {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [directory, directory.deletingLastPathComponent()].map {
            $0.appendingPathComponent("kalandra-mls-interop")
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw ScenarioError("kalandra-mls-interop not found in \(candidates.map(\.path)); run swift build first")
        }
        return found
    }

    /// The port from the server's first line, `kalandra-mls-interop listening on [ipv4]127.0.0.1:PORT`.
    static func port(from output: FileHandle) throws -> Int {
        var text = ""
        // Bounded: the line is short, and an exited process gives end of file.
        for _ in 0..<64 where !text.contains("\n") {
            let chunk = output.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard text.hasPrefix("kalandra-mls-interop listening on "),
            let port = text.split(separator: ":").last.flatMap({
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            })
        else { throw ScenarioError("unexpected first output: \(text)") }
        return port
    }

    @Test(.timeLimit(.minutes(1))) func servesOnLoopback() async throws {
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments = ["--port", "0"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let port = try Self.port(from: output.fileHandleForReading)
        let name = try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
        ) { client in
            let interop = InteropRPCClient(wrapping: client)
            _ = try await interop.createGroup(
                .with {
                    $0.cipherSuite = 1
                    $0.identity = Data("alice".utf8)
                }
            )
            return try await interop.name(.init()).name
        }
        #expect(name == "Kalandra")
    }

    @Test func refusesABadPort() throws {
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments = ["--port", "70000"]
        process.standardError = Pipe()
        process.standardOutput = Pipe()
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
    }
}
