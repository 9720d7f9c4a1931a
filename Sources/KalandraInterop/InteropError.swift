import GRPCCore
import KalandraMLS

/// Why an interop request failed, before it becomes a gRPC status for the test-runner.
enum InteropError: Error, Sendable {
    /// The table holds its most entries; the runner must `Free` some.
    case tableFull(limit: Int)
    /// No entry has this id (never handed out, or freed).
    case unknownID(UInt32)
    /// The id names an entry of another kind, e.g. a transaction where a state was expected.
    case wrongKind(UInt32, expected: String)
    /// A field of the request is malformed or out of range.
    case invalidRequest(String)
    /// The request asks for something this client does not do; the text says what the engine lacks.
    case notSupported(String)

    /// The gRPC status the runner sees.
    var rpcError: RPCError {
        switch self {
        case .tableFull(let limit):
            RPCError(
                code: .resourceExhausted,
                message: "more than \(limit) states, transactions and signers: Free some"
            )
        case .unknownID(let id):
            RPCError(code: .notFound, message: "no state, transaction, reinit or signer has id \(id)")
        case .wrongKind(let id, let expected):
            RPCError(code: .failedPrecondition, message: "id \(id) is not a \(expected) id")
        case .invalidRequest(let what):
            RPCError(code: .invalidArgument, message: what)
        case .notSupported(let what):
            RPCError(code: .unimplemented, message: what)
        }
    }

    /// `error` as a gRPC status: an MLS engine error keeps its text (the runner logs it), with
    /// INVALID_ARGUMENT because MLS errors come from the input or the state the input meets.
    static func status(for error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: error
        case let error as InteropError: error.rpcError
        case let error as MLSError: RPCError(code: .invalidArgument, message: "MLS: \(error.description)")
        default: RPCError(code: .internalError, message: "\(error)")
        }
    }
}

/// Runs an RPC's body and turns whatever it throws into a gRPC status.
func rpc<Output>(_ body: () throws -> Output) throws(RPCError) -> Output {
    do {
        return try body()
    } catch {
        throw InteropError.status(for: error)
    }
}
