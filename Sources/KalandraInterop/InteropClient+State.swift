import Foundation
import GRPCCore
import KalandraCrypto
import KalandraMLS
import SwiftProtobuf

/// Operations on a member's current epoch: what it publishes, what it derives, and application messages.
extension InteropClient {
    /// The signed GroupInfo and, when asked, the tree out of band. The engine always puts the `ratchet_tree`
    /// extension in its GroupInfos (`GroupConfiguration.ratchetTreeInWelcome` is fixed per group), so a joiner
    /// finds the tree in both places.
    public func groupInfo(
        request: MlsClient_GroupInfoRequest,
        context: ServerContext
    ) async throws -> MlsClient_GroupInfoResponse {
        try rpc {
            let group = try table.member(request.stateID).group
            let groupInfo = try group.groupInfo()
            return .with {
                $0.groupInfo = MLSMessage(.groupInfo(groupInfo)).data
                if request.externalTree { $0.ratchetTree = group.tree.ratchetTree.data }
            }
        }
    }

    /// The epoch authenticator (§8.7), which members in the same epoch share: what the runner compares.
    public func stateAuth(
        request: MlsClient_StateAuthRequest,
        context: ServerContext
    ) async throws -> MlsClient_StateAuthResponse {
        try rpc {
            let group = try table.member(request.stateID).group
            return .with { $0.stateAuthSecret = group.epochAuthenticator.data }
        }
    }

    public func export(
        request: MlsClient_ExportRequest,
        context: ServerContext
    ) async throws -> MlsClient_ExportResponse {
        try rpc {
            guard request.keyLength <= Self.maximumExportLength else {
                throw InteropError.invalidRequest(
                    "key_length \(request.keyLength) exceeds the limit of \(Self.maximumExportLength)"
                )
            }
            let group = try table.member(request.stateID).group
            let secret = try group.exporter(
                label: request.label,
                context: [UInt8](request.context),
                length: Int(request.keyLength)
            )
            return .with { $0.exportedSecret = secret.data }
        }
    }

    public func protect(
        request: MlsClient_ProtectRequest,
        context: ServerContext
    ) async throws -> MlsClient_ProtectResponse {
        try rpc {
            try withMember(request.stateID) { member in
                var generator = SystemRandomNumberGenerator()
                let message = try member.group.encrypt(
                    [UInt8](request.plaintext),
                    authenticatedData: [UInt8](request.authenticatedData),
                    using: &generator
                )
                return .with { $0.ciphertext = message.data }
            }
        }
    }

    public func unprotect(
        request: MlsClient_UnprotectRequest,
        context: ServerContext
    ) async throws -> MlsClient_UnprotectResponse {
        try rpc {
            try withMember(request.stateID) { member in
                let message = try MLSMessage.decode(request.ciphertext, field: "ciphertext")
                let processed = try member.group.process(message, psks: member.psks)
                guard case .application(let plaintext) = processed.content else {
                    throw InteropError.invalidRequest("ciphertext is not an application message")
                }
                return .with {
                    $0.authenticatedData = Data(processed.authenticatedData)
                    $0.plaintext = Data(plaintext)
                }
            }
        }
    }
}
