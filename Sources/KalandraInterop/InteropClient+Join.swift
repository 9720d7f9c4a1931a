import Foundation
import GRPCCore
import KalandraCrypto
import KalandraMLS
import SwiftProtobuf

/// Ways to become a member: create a group, hand out a KeyPackage and join by its Welcome, join by external commit.
extension InteropClient {
    public func createGroup(
        request: MlsClient_CreateGroupRequest,
        context: ServerContext
    ) async throws -> MlsClient_CreateGroupResponse {
        try rpc {
            var generator = SystemRandomNumberGenerator()
            let signer = try Signer(
                identity: [UInt8](request.identity),
                cipherSuite: request.cipherSuite,
                using: &generator
            )
            let (leaf, leafPrivateKey) = try signer.leafNode(using: &generator)
            let group = try MLSGroup.create(
                groupID: [UInt8](request.groupID),
                leafNode: leaf,
                leafPrivateKey: leafPrivateKey,
                signaturePrivateKey: signer.keys.privateKey,
                provider: signer.provider,
                configuration: Self.configuration(encryptHandshake: request.encryptHandshake),
                using: &generator
            )
            let id = try table.insert(.member(MemberState(group: group, signer: signer, psks: .empty)))
            return .with { $0.stateID = id }
        }
    }

    public func createKeyPackage(
        request: MlsClient_CreateKeyPackageRequest,
        context: ServerContext
    ) async throws -> MlsClient_CreateKeyPackageResponse {
        try rpc {
            var generator = SystemRandomNumberGenerator()
            let signer = try Signer(
                identity: [UInt8](request.identity),
                cipherSuite: request.cipherSuite,
                using: &generator
            )
            let secrets = try signer.keyPackage(using: &generator)
            let id = try table.insert(.transaction(PendingJoin(secrets: secrets, psks: .empty)))
            return .with {
                $0.transactionID = id
                $0.keyPackage = MLSMessage(.keyPackage(secrets.keyPackage)).data
                $0.initPriv = secrets.initPrivateKey.secret.data
                $0.encryptionPriv = secrets.leafPrivateKey.secret.data
                $0.signaturePriv = secrets.signer.keys.privateKey.secret.data
            }
        }
    }

    /// Joins by the Welcome for the transaction's KeyPackage; the transaction is used up.
    public func joinGroup(
        request: MlsClient_JoinGroupRequest,
        context: ServerContext
    ) async throws -> MlsClient_JoinGroupResponse {
        try rpc {
            let pending = try table.transaction(request.transactionID)
            let member = try Self.join(
                pending.secrets,
                welcome: request.welcome,
                ratchetTree: request.ratchetTree,
                psks: pending.psks,
                configuration: Self.configuration(encryptHandshake: request.encryptHandshake)
            )
            let id = try table.insert(.member(member))
            table.remove(request.transactionID)
            return .with {
                $0.stateID = id
                $0.epochAuthenticator = member.group.epochAuthenticator.data
            }
        }
    }

    /// Joins by an external commit (§12.4.3.2); with `remove_prior`, the commit also removes the leaf that holds
    /// the same identity (a member rejoining after losing its state).
    public func externalJoin(
        request: MlsClient_ExternalJoinRequest,
        context: ServerContext
    ) async throws -> MlsClient_ExternalJoinResponse {
        try rpc {
            var generator = SystemRandomNumberGenerator()
            let groupInfo = try Self.groupInfo(from: request.groupInfo)
            let ratchetTree = try Self.ratchetTree(from: request.ratchetTree)
            let signer = try Signer(
                identity: [UInt8](request.identity),
                cipherSuite: UInt32(groupInfo.groupContext.cipherSuite.rawValue),
                using: &generator
            )
            var priorLeaf: LeafIndex?
            if request.removePrior {
                let tree = try Self.treeState(groupInfo: groupInfo, outOfBand: ratchetTree, provider: signer.provider)
                priorLeaf = try MemberState.leaf(ofIdentity: signer.identity, in: tree)
            }
            let (leaf, _) = try signer.leafNode(using: &generator)
            var psks = PreSharedKeyStore()
            for psk in request.psks { psks.external[[UInt8](psk.pskID)] = SecretBytes(copying: [UInt8](psk.pskSecret)) }
            let joined = try MLSGroup.joinByExternalCommit(
                groupInfo: groupInfo,
                ratchetTree: ratchetTree,
                leafNode: leaf,
                signaturePrivateKey: signer.keys.privateKey,
                resyncing: priorLeaf,
                preSharedKeys: request.psks.map {
                    Self.preSharedKeyID(.external(id: [UInt8]($0.pskID)), provider: signer.provider)
                },
                psks: psks,
                configuration: Self.configuration(encryptHandshake: request.encryptHandshake),
                using: &generator
            )
            let id = try table.insert(.member(MemberState(group: joined.group, signer: signer, psks: psks)))
            return .with {
                $0.stateID = id
                $0.commit = joined.commit.data
                $0.epochAuthenticator = joined.group.epochAuthenticator.data
            }
        }
    }

    /// The member that `secrets`' owner becomes by `welcome`.
    static func join(
        _ secrets: KeyPackageSecrets,
        welcome welcomeData: Data,
        ratchetTree ratchetTreeData: Data,
        psks: PreSharedKeyStore,
        configuration: GroupConfiguration
    ) throws -> MemberState {
        guard case .welcome(let welcome) = try MLSMessage.decode(welcomeData, field: "welcome").body else {
            throw InteropError.invalidRequest("welcome is not an MLSMessage carrying a Welcome")
        }
        let group = try MLSGroup.join(
            welcome: welcome,
            keyPackage: secrets.keyPackage,
            initPrivateKey: secrets.initPrivateKey,
            leafPrivateKey: secrets.leafPrivateKey,
            signaturePrivateKey: secrets.signer.keys.privateKey,
            ratchetTree: try ratchetTree(from: ratchetTreeData),
            psks: psks,
            configuration: configuration
        )
        return MemberState(group: group, signer: secrets.signer, psks: psks)
    }

    // MARK: - Decoding the runner's fields

    /// A GroupInfo, which the runner passes as an `MLSMessage`.
    static func groupInfo(from data: Data) throws -> GroupInfo {
        guard case .groupInfo(let groupInfo) = try MLSMessage.decode(data, field: "group_info").body else {
            throw InteropError.invalidRequest("group_info is not an MLSMessage carrying a GroupInfo")
        }
        return groupInfo
    }

    /// A KeyPackage, which the runner passes as an `MLSMessage`.
    static func keyPackage(from data: Data) throws -> KeyPackage {
        guard case .keyPackage(let keyPackage) = try MLSMessage.decode(data, field: "key_package").body else {
            throw InteropError.invalidRequest("key_package is not an MLSMessage carrying a KeyPackage")
        }
        return keyPackage
    }

    /// A ratchet tree given out of band (a bare `ratchet_tree` vector), or nil when the field is empty.
    static func ratchetTree(from data: Data) throws -> RatchetTree? {
        data.isEmpty ? nil : try RatchetTree.decode([UInt8](data))
    }

    /// The tree of `groupInfo`: its `ratchet_tree` extension, else the one given out of band.
    static func treeState(
        groupInfo: GroupInfo,
        outOfBand: RatchetTree?,
        provider: any CipherSuiteProvider
    ) throws -> RatchetTreeState {
        if let data = groupInfo.extensions.first(where: { $0.extensionType == .ratchetTree })?.extensionData {
            return try RatchetTreeState(RatchetTree.decode(data), provider: provider)
        }
        guard let outOfBand else { throw MLSError(.ratchetTreeMissing) }
        return try RatchetTreeState(outOfBand, provider: provider)
    }
}
