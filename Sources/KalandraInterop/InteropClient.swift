import Foundation
import GRPCCore
import KalandraCrypto
import KalandraMLS
import SwiftProtobuf

/// The MLS working group's interop service (`mls_client.MLSClient`, shared/mls-interop/mls_client.proto) over
/// KalandraMLS: the test-runner drives one instance per implementation and compares what the members derive.
///
/// Every piece of state the runner refers to by number lives in one bounded table. The actor serialises the RPCs;
/// none of them awaits inside, so each runs to completion against one table state. Entries are values, written
/// back only when the engine call on them succeeds, so a refused message leaves the member as it was.
public actor InteropClient: MlsClient_MLSClient.SimpleServiceProtocol {
    /// The default bound on states, transactions, reinits and signers held at once.
    public static let defaultMaximumEntries = 4_096
    /// The longest exporter output served, in bytes: far above any test's need, and below the KDF's own limit.
    static let maximumExportLength: UInt32 = 1_024
    /// The most proposals accepted in one `Commit` or `HandleCommit`, by reference and by value together.
    static let maximumProposalsPerCommit = 1_000

    var table: InteropStateTable

    /// A client holding at most `maximumEntries` states, transactions, reinits and signers.
    public init(maximumEntries: Int = InteropClient.defaultMaximumEntries) {
        table = InteropStateTable(maximumCount: maximumEntries)
    }

    /// How many entries the table holds (for tests of freeing and bounds).
    public var entryCount: Int { table.count }

    /// Applies `body` to the member under `id` and stores the result only when `body` succeeds.
    func withMember<Result>(_ id: UInt32, _ body: (inout MemberState) throws -> Result) throws -> Result {
        var member = try table.member(id)
        let result = try body(&member)
        table.replace(id, with: .member(member))
        return result
    }

    /// The configuration of a member that sends handshakes encrypted or in the clear, as the runner asks.
    static func configuration(encryptHandshake: Bool) -> GroupConfiguration {
        GroupConfiguration(handshakeWireFormat: encryptHandshake ? .privateMessage : .publicMessage)
    }

    // MARK: - About the client

    public func name(
        request: MlsClient_NameRequest,
        context: ServerContext
    ) async throws -> MlsClient_NameResponse {
        .with { $0.name = "Kalandra" }
    }

    public func supportedCiphersuites(
        request: MlsClient_SupportedCiphersuitesRequest,
        context: ServerContext
    ) async throws -> MlsClient_SupportedCiphersuitesResponse {
        .with { $0.ciphersuites = CipherSuite.supported.map { UInt32($0.rawValue) } }
    }

    public func free(
        request: MlsClient_FreeRequest,
        context: ServerContext
    ) async throws -> MlsClient_FreeResponse {
        table.remove(request.stateID)
        return MlsClient_FreeResponse()
    }

    /// Stores an external PSK with a member (for its commits and the commits it processes) or with a transaction
    /// (for the Welcome it will join by).
    public func storePSK(
        request: MlsClient_StorePSKRequest,
        context: ServerContext
    ) async throws -> MlsClient_StorePSKResponse {
        try rpc {
            let id = request.stateOrTransactionID
            let pskID = [UInt8](request.pskID)
            let secret = SecretBytes(copying: request.pskSecret)
            switch try table.entry(id) {
            case .member(var member):
                member.psks.external[pskID] = secret
                table.replace(id, with: .member(member))
            case .transaction(var pending):
                pending.psks.external[pskID] = secret
                table.replace(id, with: .transaction(pending))
            case .reInit, .signer:
                throw InteropError.wrongKind(id, expected: "state or transaction")
            }
            return MlsClient_StorePSKResponse()
        }
    }
}

extension SecretBytes {
    /// The bytes, for a response field.
    var data: Data { withUnsafeBytes { Data($0) } }
}

extension TLSCodable {
    /// The encoding, for a response field.
    var data: Data { Data(encoded()) }
}

extension MLSMessage {
    /// Decodes an `MLSMessage` of the runner; `field` names the request field in errors.
    static func decode(_ data: Data, field: String) throws -> MLSMessage {
        guard !data.isEmpty else { throw InteropError.invalidRequest("\(field) is empty") }
        return try MLSMessage.decode([UInt8](data))
    }
}
