import GRPCCore
import GRPCNIOTransportHTTP2
import KalandraInterop

/// A client of one interop server, over HTTP/2 on loopback.
typealias InteropRPCClient = MlsClient_MLSClient.Client<HTTP2ClientTransport.Posix>

/// Two interop servers in this process, each with its own state, on ephemeral loopback ports: the real transport
/// and the real service, as the working group's runner would meet them.
enum InteropServers {
    /// Runs `body` with clients of two fresh servers, each holding at most `maximumEntries`, then shuts both down.
    static func withTwo<Result: Sendable>(
        maximumEntries: Int = InteropClient.defaultMaximumEntries,
        _ body: @Sendable (InteropRPCClient, InteropRPCClient) async throws -> Result
    ) async throws -> Result {
        let servers = (0..<2).map { _ in
            GRPCServer(
                transport: .http2NIOPosix(
                    address: .ipv4(host: "127.0.0.1", port: 0),
                    transportSecurity: .plaintext
                ),
                services: [InteropClient(maximumEntries: maximumEntries)]
            )
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            // On an error the group cancels these tasks, which stops the servers.
            for server in servers {
                group.addTask { try await server.serve() }
            }
            var ports: [Int] = []
            for server in servers {
                guard let port = try await server.listeningAddress?.ipv4?.port else {
                    throw ScenarioError("an interop server did not start listening")
                }
                ports.append(port)
            }
            let result = try await withClient(port: ports[0]) { first in
                try await withClient(port: ports[1]) { second in try await body(first, second) }
            }
            for server in servers { server.beginGracefulShutdown() }
            try await group.waitForAll()
            return result
        }
    }

    private static func withClient<Result: Sendable>(
        port: Int,
        _ body: (InteropRPCClient) async throws -> Result
    ) async throws -> Result {
        try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
        ) { client in
            try await body(InteropRPCClient(wrapping: client))
        }
    }
}
