import KalandraCrypto

/// The secrets derived from one epoch's `epoch_secret` (RFC 9420 §8, Table 4 "Epoch-Derived Secrets"), each
/// `DeriveSecret(epoch_secret, label)`, and the operations built on them. The `epoch_secret` itself is not kept:
/// it is consumed by these derivations (§9.2).
public struct EpochSecrets: Sendable {
    /// The suite whose KDF derived these secrets.
    public var cipherSuite: CipherSuite { provider.cipherSuite }

    /// `sender_data_secret` ("sender data"): keys that encrypt sender data (§6.3.2).
    public let senderDataSecret: SecretBytes
    /// `encryption_secret` ("encryption"): the root of the secret tree (§9), until `makeSecretTree` hands it to the
    /// tree; nil from then on, so that the tree's deletion schedule (§9.2) is the only thing keeping it alive.
    public private(set) var encryptionSecret: SecretBytes?
    /// `exporter_secret` ("exporter"): secrets for the application (§8.5), through `exporter(label:context:length:)`.
    public let exporterSecret: SecretBytes
    /// `external_secret` ("external"): the seed of the external HPKE key pair (§8, §8.3).
    public let externalSecret: SecretBytes
    /// `confirmation_key` ("confirm"): the key of the confirmation tag (§6.1).
    public let confirmationKey: SecretBytes
    /// `membership_key` ("membership"): the key of a PublicMessage's membership tag (§6.2).
    public let membershipKey: SecretBytes
    /// `resumption_psk` ("resumption"): this epoch's PSK for later resumption (§8.6).
    public let resumptionPSK: SecretBytes
    /// `epoch_authenticator` ("authentication"): a value all members of the epoch share (§8.7).
    public let epochAuthenticator: SecretBytes
    /// `init_secret` ("init"): the next epoch's init secret (§8).
    public let initSecret: SecretBytes

    private let provider: any CipherSuiteProvider

    /// The secrets of the epoch whose `epoch_secret` (`KDF.Nh` bytes) is `epochSecret`.
    public init(epochSecret: SecretBytes, provider: any CipherSuiteProvider) throws(MLSError) {
        try provider.checkSecretLength(epochSecret, "epoch_secret")
        func derive(_ label: String) throws(MLSError) -> SecretBytes {
            try provider.deriveSecret(secret: epochSecret, label: label)
        }
        senderDataSecret = try derive("sender data")
        encryptionSecret = try derive("encryption")
        exporterSecret = try derive("exporter")
        externalSecret = try derive("external")
        confirmationKey = try derive("confirm")
        membershipKey = try derive("membership")
        resumptionPSK = try derive("resumption")
        epochAuthenticator = try derive("authentication")
        initSecret = try derive("init")
        self.provider = provider
    }

    /// `external_priv, external_pub = KEM.DeriveKeyPair(external_secret)` (§8): the key pair whose public half a
    /// GroupInfo publishes for external commits.
    public func externalKeyPair() throws(MLSError) -> HPKEKeyPair {
        try provider.deriveHPKEKeyPair(inputKeyMaterial: externalSecret)
    }

    /// `MLS-Exporter(Label, Context, Length) = ExpandWithLabel(DeriveSecret(exporter_secret, Label), "exported",
    /// Hash(Context), Length)` (§8.5), with an application label such as one from the IANA registry (§18.8).
    public func exporter(label: String, context: [UInt8], length: Int) throws(MLSError) -> SecretBytes {
        try exporter(label: Array(label.utf8), context: context, length: length)
    }

    /// `MLS-Exporter` (§8.5) with the label given as bytes; labels are opaque and need not be UTF-8.
    public func exporter(label: [UInt8], context: [UInt8], length: Int) throws(MLSError) -> SecretBytes {
        let derived = try provider.expandWithLabel(
            secret: exporterSecret,
            labelBytes: label,
            context: [],
            length: provider.kdfLength
        )
        return try provider.expandWithLabel(
            secret: derived,
            label: "exported",
            context: provider.hash(context),
            length: length
        )
    }

    /// `confirmation_tag = MAC(confirmation_key, GroupContext.confirmed_transcript_hash)` (§6.1).
    public func confirmationTag(confirmedTranscriptHash: [UInt8]) -> [UInt8] {
        provider.mac(key: confirmationKey, data: confirmedTranscriptHash)
    }

    /// Whether `tag` is this epoch's confirmation tag over `confirmedTranscriptHash` (§6.1, §12.4.2), compared in
    /// constant time.
    public func verifyConfirmationTag(_ tag: [UInt8], confirmedTranscriptHash: [UInt8]) -> Bool {
        ConstantTime.equals(tag, confirmationTag(confirmedTranscriptHash: confirmedTranscriptHash))
    }

    /// The epoch's secret tree (§9) for a group of `treeSize`, which takes over `encryptionSecret`: these secrets
    /// keep no reference to it afterwards (§9.2), so an epoch has one secret tree. Throws
    /// `encryptionSecretAlreadyUsed` when the tree was built before.
    public mutating func makeSecretTree(
        treeSize: TreeSize,
        limits: RatchetLimits = .default
    ) throws(MLSError) -> SecretTree {
        guard let secret = encryptionSecret else { throw MLSError(.encryptionSecretAlreadyUsed) }
        let tree = try SecretTree(encryptionSecret: secret, treeSize: treeSize, provider: provider, limits: limits)
        encryptionSecret = nil
        return tree
    }
}

// MARK: - Restoring (MLSGroup+Persistence.swift)

extension EpochSecrets {
    /// The secrets of an epoch as they were saved: each `KDF.Nh` bytes, `encryptionSecret` nil once the epoch's
    /// secret tree took it.
    init(
        restoringSenderDataSecret senderDataSecret: SecretBytes,
        encryptionSecret: SecretBytes?,
        exporterSecret: SecretBytes,
        externalSecret: SecretBytes,
        confirmationKey: SecretBytes,
        membershipKey: SecretBytes,
        resumptionPSK: SecretBytes,
        epochAuthenticator: SecretBytes,
        initSecret: SecretBytes,
        provider: any CipherSuiteProvider
    ) throws(MLSError) {
        let named: [(SecretBytes?, String)] = [
            (senderDataSecret, "sender_data_secret"), (encryptionSecret, "encryption_secret"),
            (exporterSecret, "exporter_secret"), (externalSecret, "external_secret"),
            (confirmationKey, "confirmation_key"), (membershipKey, "membership_key"),
            (resumptionPSK, "resumption_psk"), (epochAuthenticator, "epoch_authenticator"), (initSecret, "init_secret"),
        ]
        for case (let secret?, let name) in named { try provider.checkSecretLength(secret, name) }
        self.senderDataSecret = senderDataSecret
        self.encryptionSecret = encryptionSecret
        self.exporterSecret = exporterSecret
        self.externalSecret = externalSecret
        self.confirmationKey = confirmationKey
        self.membershipKey = membershipKey
        self.resumptionPSK = resumptionPSK
        self.epochAuthenticator = epochAuthenticator
        self.initSecret = initSecret
        self.provider = provider
    }
}
