import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import KalandraInterop

/// Serves the MLS working group's interop gRPC interface (docs/INTEROP.md) for its test-runner, on loopback only:
/// the service holds private keys for the runner to read, so it must never face a network.
@main
struct InteropServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kalandra-mls-interop",
        abstract: "Serve the MLS interop gRPC interface (mls_client.MLSClient) on 127.0.0.1."
    )

    @Option(help: "The TCP port to listen on (0 picks a free one).")
    var port: Int = 50051

    @Option(help: "The most states, transactions and signers held at once.")
    var maximumEntries: Int = InteropClient.defaultMaximumEntries

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard maximumEntries > 0 else { throw ValidationError("--maximum-entries must be positive") }
    }

    func run() async throws {
        let server = GRPCServer(
            transport: .http2NIOPosix(
                address: .ipv4(host: "127.0.0.1", port: port),
                transportSecurity: .plaintext
            ),
            services: [InteropClient(maximumEntries: maximumEntries)]
        )
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            if let address = try await server.listeningAddress {
                // Scripts and tests wait for this line to learn the port; written unbuffered, as a pipe would hold
                // a print back.
                FileHandle.standardOutput.write(Data("kalandra-mls-interop listening on \(address)\n".utf8))
            }
        }
    }
}
