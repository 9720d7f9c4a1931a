import KalandraCrypto

/// RFC 9180 HPKE in base mode (mode 0, no PSK), single shot: one message per encapsulation, as MLS uses it, so the
/// sequence number is always 0 and the nonce is `base_nonce`.
struct HPKE: Sendable {
    let kem: any KeyEncapsulationMechanism
    let kdf: HashAlgorithm
    let aead: AEADAlgorithm

    /// The secrets of an HPKE context (RFC 9180 §5.1).
    struct ContextSecrets {
        let key: SecretBytes
        let baseNonce: [UInt8]
        let exporterSecret: SecretBytes
    }

    /// "HPKE" ‖ I2OSP(kem_id, 2) ‖ I2OSP(kdf_id, 2) ‖ I2OSP(aead_id, 2).
    private var suiteID: [UInt8] {
        var writer = TLSWriter()
        writer.writeFixed(Array("HPKE".utf8))
        writer.writeUInt16(kem.identifier)
        writer.writeUInt16(kdf.hpkeKDFIdentifier)
        writer.writeUInt16(aead.hpkeIdentifier)
        return writer.bytes
    }

    /// `KeySchedule(mode_base, shared_secret, info, "", "")`.
    func keySchedule(sharedSecret: SecretBytes, info: [UInt8]) throws(MLSError) -> ContextSecrets {
        try keySchedule(sharedSecret: sharedSecret, infoHash: infoHash(info))
    }

    /// `info_hash = LabeledExtract("", "info_hash", info)` (RFC 9180 §5.1): the same for every recipient of one
    /// `info`, so a sender to many (a Welcome, whose info holds the whole encrypted GroupInfo) computes it once.
    func infoHash(_ info: [UInt8]) -> SecretBytes {
        kdf.labeledExtract(
            suiteID: suiteID,
            salt: SecretBytes(copying: []),
            label: "info_hash",
            inputKeyMaterial: SecretBytes(copying: info)
        )
    }

    /// `KeySchedule(mode_base, shared_secret, info, "", "")` with `info_hash` given.
    func keySchedule(sharedSecret: SecretBytes, infoHash: SecretBytes) throws(MLSError) -> ContextSecrets {
        let empty = SecretBytes(copying: [])
        let pskIDHash = kdf.labeledExtract(suiteID: suiteID, salt: empty, label: "psk_id_hash", inputKeyMaterial: empty)
        let context: [UInt8] =
            [0x00] + pskIDHash.withUnsafeBytes { Array($0) } + infoHash.withUnsafeBytes { Array($0) }
        let secret = kdf.labeledExtract(suiteID: suiteID, salt: sharedSecret, label: "secret", inputKeyMaterial: empty)
        let key = try kdf.labeledExpand(
            suiteID: suiteID,
            pseudorandomKey: secret,
            label: "key",
            info: context,
            length: aead.keyLength
        )
        let baseNonce = try kdf.labeledExpand(
            suiteID: suiteID,
            pseudorandomKey: secret,
            label: "base_nonce",
            info: context,
            length: aead.nonceLength
        )
        let exporterSecret = try kdf.labeledExpand(
            suiteID: suiteID,
            pseudorandomKey: secret,
            label: "exp",
            info: context,
            length: kdf.outputLength
        )
        return ContextSecrets(
            key: key,
            baseNonce: baseNonce.withUnsafeBytes { Array($0) },
            exporterSecret: exporterSecret
        )
    }

    /// `SealBase` with the KEM randomness given.
    func seal(
        publicKey: HPKEPublicKey,
        info: [UInt8],
        associatedData: [UInt8],
        plaintext: [UInt8],
        randomness: SecretBytes
    ) throws(MLSError) -> HPKECiphertext {
        try seal(
            publicKey: publicKey,
            infoHash: infoHash(info),
            associatedData: associatedData,
            plaintext: plaintext,
            randomness: randomness
        )
    }

    /// `SealBase` with `info_hash` and the KEM randomness given.
    func seal(
        publicKey: HPKEPublicKey,
        infoHash: SecretBytes,
        associatedData: [UInt8],
        plaintext: [UInt8],
        randomness: SecretBytes
    ) throws(MLSError) -> HPKECiphertext {
        let (sharedSecret, encapsulation) = try kem.encapsulate(to: publicKey, randomness: randomness)
        let secrets = try keySchedule(sharedSecret: sharedSecret, infoHash: infoHash)
        let ciphertext = try aead.seal(
            key: secrets.key,
            nonce: secrets.baseNonce,
            associatedData: associatedData,
            plaintext: plaintext
        )
        return HPKECiphertext(kemOutput: encapsulation, ciphertext: ciphertext)
    }

    /// `OpenBase`.
    func open(
        privateKey: HPKEPrivateKey,
        info: [UInt8],
        associatedData: [UInt8],
        ciphertext: HPKECiphertext
    ) throws(MLSError) -> [UInt8] {
        let sharedSecret = try kem.decapsulate(ciphertext.kemOutput, privateKey: privateKey)
        let secrets = try keySchedule(sharedSecret: sharedSecret, info: info)
        return try aead.open(
            key: secrets.key,
            nonce: secrets.baseNonce,
            associatedData: associatedData,
            ciphertext: ciphertext.ciphertext
        )
    }

    /// `SendExportBase` with the KEM randomness given.
    func exportSender(
        publicKey: HPKEPublicKey,
        info: [UInt8],
        exporterContext: [UInt8],
        length: Int,
        randomness: SecretBytes
    ) throws(MLSError) -> HPKEExportedSecret {
        let (sharedSecret, encapsulation) = try kem.encapsulate(to: publicKey, randomness: randomness)
        let secrets = try keySchedule(sharedSecret: sharedSecret, info: info)
        let exported = try export(secrets, exporterContext: exporterContext, length: length)
        return HPKEExportedSecret(kemOutput: encapsulation, secret: exported)
    }

    /// `ReceiveExportBase`.
    func exportReceiver(
        privateKey: HPKEPrivateKey,
        kemOutput: [UInt8],
        info: [UInt8],
        exporterContext: [UInt8],
        length: Int
    ) throws(MLSError) -> SecretBytes {
        let sharedSecret = try kem.decapsulate(kemOutput, privateKey: privateKey)
        let secrets = try keySchedule(sharedSecret: sharedSecret, info: info)
        return try export(secrets, exporterContext: exporterContext, length: length)
    }

    /// `Context.Export(exporter_context, L)`.
    private func export(
        _ secrets: ContextSecrets,
        exporterContext: [UInt8],
        length: Int
    ) throws(MLSError) -> SecretBytes {
        try kdf.labeledExpand(
            suiteID: suiteID,
            pseudorandomKey: secrets.exporterSecret,
            label: "sec",
            info: exporterContext,
            length: length
        )
    }
}
