import KalandraCrypto

/// Welcome protection (RFC 9420 §12.4.3.1): the GroupInfo encrypted under `welcome_key`/`welcome_nonce` from the
/// `welcome_secret`, and for each joiner the `GroupSecrets` encrypted to its KeyPackage's `init_key` with
/// `EncryptWithLabel(init_key, "Welcome", encrypted_group_info, GroupSecrets)`.
extension Welcome {
    /// The `EncryptWithLabel` label of the group secrets.
    public static let groupSecretsLabel = "Welcome"

    /// A Welcome carrying `groupInfo` (already signed) to `newMembers`, each with the path secret for it when the
    /// commit had a path. `pskSecret` is the epoch's `psk_secret` from `psks`; nil means no PSKs (the zero secret).
    /// The HPKE encryptions draw their ephemeral keys from `generator`.
    public static func seal(
        groupInfo: GroupInfo,
        joinerSecret: SecretBytes,
        psks: [PreSharedKeyID] = [],
        pskSecret: SecretBytes? = nil,
        newMembers: [(keyPackage: KeyPackage, pathSecret: PathSecret?)],
        provider: any CipherSuiteProvider,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> Welcome {
        let suite = provider.cipherSuite
        guard groupInfo.groupContext.cipherSuite == suite else {
            throw MLSError(.cipherSuiteMismatch, context: "GroupInfo \(groupInfo.groupContext.cipherSuite), \(suite)")
        }
        let limit = TLSLimits.default.maximumElementCount
        guard newMembers.count <= limit else {
            throw MLSError(.elementCountExceeded(limit: limit), context: "welcome recipients")
        }
        let psk = try resolvedPSKSecret(pskSecret, psks: psks, provider: provider)
        let encryptedGroupInfo = try encryptGroupInfo(
            groupInfo,
            joinerSecret: joinerSecret,
            pskSecret: psk,
            provider: provider
        )
        var recipients: [(publicKey: HPKEPublicKey, plaintext: [UInt8])] = []
        recipients.reserveCapacity(newMembers.count)
        // The plain GroupSecrets are wiped whether sealing succeeds or not.
        defer { for index in recipients.indices { Zeroize.bytes(&recipients[index].plaintext) } }
        for (keyPackage, pathSecret) in newMembers {
            guard keyPackage.cipherSuite == suite else {
                throw MLSError(.cipherSuiteMismatch, context: "KeyPackage \(keyPackage.cipherSuite), \(suite)")
            }
            recipients.append(
                (
                    keyPackage.initKey,
                    GroupSecrets(joinerSecret: joinerSecret, pathSecret: pathSecret, psks: psks).encoded()
                )
            )
        }
        // One EncryptContext for every recipient: it holds the whole encrypted GroupInfo, hashed once.
        let ciphertexts = try provider.encryptWithLabel(
            recipients,
            label: groupSecretsLabel,
            context: encryptedGroupInfo,
            using: &generator
        )
        let secrets = zip(newMembers, ciphertexts).map { member, ciphertext in
            EncryptedGroupSecrets(
                newMember: member.keyPackage.reference(provider: provider),
                encryptedGroupSecrets: ciphertext
            )
        }
        return Welcome(cipherSuite: suite, secrets: secrets, encryptedGroupInfo: encryptedGroupInfo)
    }

    /// Joins through this Welcome as the owner of `keyPackage` (§12.4.3.1): finds the entry for its
    /// `KeyPackageRef`, decrypts the GroupSecrets with `initPrivateKey`, derives the welcome key and decrypts the
    /// GroupInfo, verifies the GroupInfo's signature with the key `signerPublicKey` returns for it (the caller
    /// looks up the signer's leaf in the ratchet tree), then runs the key schedule and verifies the confirmation
    /// tag. `pskSecret` is the `psk_secret` of the GroupSecrets' PSKs, which the caller resolves; it must be nil
    /// when there are none. The returned key schedule has already dropped its joiner and welcome secrets.
    public func open(
        keyPackage: KeyPackage,
        initPrivateKey: HPKEPrivateKey,
        pskSecret: SecretBytes? = nil,
        provider: any CipherSuiteProvider,
        limits: TLSLimits = .default,
        signerPublicKey: (GroupInfo) throws(MLSError) -> SignaturePublicKey
    ) throws(MLSError) -> WelcomeJoin {
        try open(
            keyPackage: keyPackage,
            initPrivateKey: initPrivateKey,
            provider: provider,
            limits: limits,
            pskSecret: { _ in pskSecret },
            signerPublicKey: signerPublicKey
        )
    }

    /// `open` with the `psk_secret` computed by `pskSecret` from the GroupSecrets' PSK list, which is known only
    /// once they are decrypted (nil when the list is empty).
    public func open(
        keyPackage: KeyPackage,
        initPrivateKey: HPKEPrivateKey,
        provider: any CipherSuiteProvider,
        limits: TLSLimits = .default,
        pskSecret: ([PreSharedKeyID]) throws(MLSError) -> SecretBytes?,
        signerPublicKey: (GroupInfo) throws(MLSError) -> SignaturePublicKey
    ) throws(MLSError) -> WelcomeJoin {
        let groupSecrets = try decryptGroupSecrets(
            keyPackage: keyPackage,
            initPrivateKey: initPrivateKey,
            provider: provider,
            limits: limits
        )
        let psk = try Self.resolvedPSKSecret(pskSecret(groupSecrets.psks), psks: groupSecrets.psks, provider: provider)
        let welcomeSecret = try KeySchedule.welcomeSecret(
            joinerSecret: groupSecrets.joinerSecret,
            pskSecret: psk,
            provider: provider
        )
        let groupInfo = try decryptGroupInfo(welcomeSecret: welcomeSecret, provider: provider, limits: limits)
        guard groupInfo.groupContext.cipherSuite == cipherSuite else {
            throw MLSError(.cipherSuiteMismatch, context: "GroupInfo \(groupInfo.groupContext.cipherSuite)")
        }
        try groupInfo.verifySignature(publicKey: signerPublicKey(groupInfo), provider: provider)
        var keySchedule = try KeySchedule(
            joinerSecret: groupSecrets.joinerSecret,
            pskSecret: psk,
            groupContext: groupInfo.groupContext.encoded(),
            provider: provider
        )
        try groupInfo.verifyConfirmationTag(epochSecrets: keySchedule.epochSecrets)
        // The Welcome is open: the schedule's joiner and welcome secrets have served their purpose (§9.2).
        keySchedule.dropJoinerSecrets()
        return WelcomeJoin(groupSecrets: groupSecrets, groupInfo: groupInfo, keySchedule: keySchedule)
    }

    /// The GroupSecrets encrypted to `keyPackage` (§12.4.3.1): throws `cipherSuiteMismatch` when the Welcome,
    /// `keyPackage` and `provider` disagree on the suite, `keyPackageNotInWelcome` when no entry names
    /// `keyPackage`'s reference, and `decryptionFailed` when `initPrivateKey` does not open it.
    public func decryptGroupSecrets(
        keyPackage: KeyPackage,
        initPrivateKey: HPKEPrivateKey,
        provider: any CipherSuiteProvider,
        limits: TLSLimits = .default
    ) throws(MLSError) -> GroupSecrets {
        guard cipherSuite == provider.cipherSuite, keyPackage.cipherSuite == cipherSuite else {
            throw MLSError(
                .cipherSuiteMismatch,
                context:
                    "Welcome \(cipherSuite), KeyPackage \(keyPackage.cipherSuite), provider \(provider.cipherSuite)"
            )
        }
        let reference = keyPackage.reference(provider: provider)
        guard let entry = secrets.first(where: { $0.newMember == reference }) else {
            throw MLSError(.keyPackageNotInWelcome)
        }
        var plaintext = try provider.decryptWithLabel(
            privateKey: initPrivateKey,
            label: Self.groupSecretsLabel,
            context: encryptedGroupInfo,
            ciphertext: entry.encryptedGroupSecrets
        )
        defer { Zeroize.bytes(&plaintext) }
        return try GroupSecrets.decode(plaintext, limits: limits)
    }

    /// The GroupInfo, decrypted with the key and nonce from `welcomeSecret` and empty associated data
    /// (§12.4.3.1); its signature and confirmation tag are not checked here.
    public func decryptGroupInfo(
        welcomeSecret: SecretBytes,
        provider: any CipherSuiteProvider,
        limits: TLSLimits = .default
    ) throws(MLSError) -> GroupInfo {
        let (key, nonce) = try KeySchedule.welcomeKeyAndNonce(welcomeSecret: welcomeSecret, provider: provider)
        var nonceBytes = nonce.withUnsafeBytes { Array($0) }
        defer { Zeroize.bytes(&nonceBytes) }
        let plaintext = try provider.aeadOpen(
            key: key,
            nonce: nonceBytes,
            associatedData: [],
            ciphertext: encryptedGroupInfo
        )
        return try GroupInfo.decode(plaintext, limits: limits)
    }

    /// `AEAD.Seal(welcome_key, welcome_nonce, "", GroupInfo)` (§12.4.3.1).
    private static func encryptGroupInfo(
        _ groupInfo: GroupInfo,
        joinerSecret: SecretBytes,
        pskSecret: SecretBytes,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> [UInt8] {
        let welcomeSecret = try KeySchedule.welcomeSecret(
            joinerSecret: joinerSecret,
            pskSecret: pskSecret,
            provider: provider
        )
        let (key, nonce) = try KeySchedule.welcomeKeyAndNonce(welcomeSecret: welcomeSecret, provider: provider)
        var nonceBytes = nonce.withUnsafeBytes { Array($0) }
        defer { Zeroize.bytes(&nonceBytes) }
        return try provider.aeadSeal(key: key, nonce: nonceBytes, associatedData: [], plaintext: groupInfo.encoded())
    }

    /// `pskSecret`, or the zero secret when there are no PSKs (§8.4); throws when one is given without PSKs or
    /// missing with them.
    private static func resolvedPSKSecret(
        _ pskSecret: SecretBytes?,
        psks: [PreSharedKeyID],
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> SecretBytes {
        switch (pskSecret, psks.isEmpty) {
        case (nil, true): return KeySchedule.zeroSecret(provider: provider)
        case (let secret?, false): return secret
        case (nil, false):
            throw MLSError(.invalidValue("the welcome injects \(psks.count) PSK(s): their psk_secret is required"))
        case (.some, true): throw MLSError(.invalidValue("a psk_secret was given but the welcome injects no PSKs"))
        }
    }
}
