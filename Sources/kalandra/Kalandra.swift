import ArgumentParser

/// The `kalandra` command: server, client and operator tools. Subcommands are added as the server grows.
@main
struct Kalandra: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kalandra",
        abstract: "Kalandra: federated, end-to-end-encrypted group messaging.",
        subcommands: [Demo.self, DecodeFrame.self, MLSVectors.self]
    )
}
