import KalandraCrypto
import KalandraMLS

/// One entry of the passive-client scenarios (`passive-client-welcome.json`, `-handling-commit.json`,
/// `-random.json`; test-vectors.md "Passive Client Scenarios").
public struct PassiveClientVectorEntry: Decodable, Sendable {
    /// An external PSK the client holds.
    public struct ExternalPSK: Decodable, Sendable {
        /// `psk_id`.
        @HexBytes public var pskId: [UInt8]
        /// The PSK.
        @HexBytes public var psk: [UInt8]
    }

    /// One epoch the group goes through: proposals received, then the commit that ends the epoch.
    public struct Epoch: Decodable, Sendable {
        /// `MLSMessage`s carrying the proposals the commit may refer to.
        let proposals: [HexElement]
        /// `MLSMessage` carrying the commit.
        @HexBytes public var commit: [UInt8]
        /// `epoch_authenticator` of the epoch the commit creates.
        @HexBytes public var epochAuthenticator: [UInt8]
    }

    /// The suite.
    public let cipherSuite: UInt16
    /// The PSKs the client holds.
    public let externalPsks: [ExternalPSK]
    /// `MLSMessage` holding the client's KeyPackage.
    @HexBytes public var keyPackage: [UInt8]
    /// The private keys of the KeyPackage.
    @HexBytes public var signaturePriv: [UInt8]
    @HexBytes public var encryptionPriv: [UInt8]
    @HexBytes public var initPriv: [UInt8]
    /// `MLSMessage` holding the Welcome.
    @HexBytes public var welcome: [UInt8]
    /// The tree out of band, when the Welcome does not carry it.
    let ratchetTree: HexElement?
    /// `epoch_authenticator` of the epoch joined.
    @HexBytes public var initialEpochAuthenticator: [UInt8]
    /// The epochs that follow.
    public let epochs: [Epoch]
}

/// The passive-client scenarios: join from the Welcome with the given keys and PSKs, check the epoch authenticator,
/// then for each epoch process its proposals and its commit with the group engine and check the new epoch's
/// authenticator. The client never sends.
enum PassiveClientRunner: EntryRunner {
    typealias Entry = PassiveClientVectorEntry

    static func cipherSuite(of entry: Entry) -> UInt16? { entry.cipherSuite }

    static func summary(of entry: Entry) -> String? {
        "\(entry.epochs.count) epoch(s)" + (entry.ratchetTree == nil ? "" : ", tree out of band")
    }

    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        let provider = try check.provider()
        guard
            case .keyPackage(let keyPackage) = try step("key_package", { try MLSMessage.decode(entry.keyPackage) }).body
        else { throw EntryFailure("key_package is not an MLSMessage(KeyPackage)") }
        guard case .welcome(let welcome) = try step("welcome", { try MLSMessage.decode(entry.welcome) }).body else {
            throw EntryFailure("welcome is not an MLSMessage(Welcome)")
        }
        let signatureKey = SignaturePrivateKey(SecretBytes(copying: entry.signaturePriv))
        let leafKey = HPKEPrivateKey(SecretBytes(copying: entry.encryptionPriv))
        let initKey = HPKEPrivateKey(SecretBytes(copying: entry.initPriv))
        try step("private keys") {
            check.expectEqual(
                try provider.signaturePublicKey(for: signatureKey),
                keyPackage.leafNode.signatureKey,
                "signature_priv"
            )
            check.expectEqual(
                try provider.hpkePublicKey(for: leafKey),
                keyPackage.leafNode.encryptionKey,
                "encryption_priv"
            )
            check.expectEqual(try provider.hpkePublicKey(for: initKey), keyPackage.initKey, "init_priv")
        }
        var external: [[UInt8]: SecretBytes] = [:]
        for psk in entry.externalPsks { external[psk.pskId] = SecretBytes(copying: psk.psk) }
        let psks = PreSharedKeyStore(external: external)
        let ratchetTree = try entry.ratchetTree.map { element throws(EntryFailure) in
            try step("ratchet_tree") { try RatchetTree.decode(element.bytes) }
        }
        var group = try step("joining from the welcome") {
            try MLSGroup.join(
                welcome: welcome,
                keyPackage: keyPackage,
                initPrivateKey: initKey,
                leafPrivateKey: leafKey,
                signaturePrivateKey: signatureKey,
                ratchetTree: ratchetTree,
                psks: psks
            )
        }
        check.expectSecret(group.epochAuthenticator, entry.initialEpochAuthenticator, "initial epoch authenticator")
        var items = 1
        for (index, epoch) in entry.epochs.enumerated() {
            for (position, proposal) in epoch.proposals.enumerated() {
                try step("epoch \(index) proposal \(position)") {
                    _ = try group.process(MLSMessage.decode(proposal.bytes), psks: psks)
                }
            }
            try step("epoch \(index) commit") {
                guard case .commit(let staged) = try group.process(MLSMessage.decode(epoch.commit), psks: psks).content
                else { throw EntryFailure("the commit message carries no commit") }
                try group.merge(staged)
            }
            check.expectSecret(group.epochAuthenticator, epoch.epochAuthenticator, "epoch \(index) authenticator")
            items += 1
        }
        return items
    }
}
