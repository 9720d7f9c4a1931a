/// GroupInfo authentication (RFC 9420 §12.4.3): the signature over `struct { GroupContext group_context; Extension
/// extensions<V>; MAC confirmation_tag; uint32 signer; } GroupInfoTBS` and the confirmation tag check.
extension GroupInfo {
    /// The label of `SignWithLabel` over `GroupInfoTBS`.
    public static let signatureLabel = "GroupInfoTBS"

    /// A GroupInfo signed by the member at `signer` with `privateKey` (§12.4.3).
    public static func signed(
        groupContext: GroupContext,
        extensions: [Extension],
        confirmationTag: [UInt8],
        signer: LeafIndex,
        privateKey: SignaturePrivateKey,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> GroupInfo {
        var groupInfo = GroupInfo(
            groupContext: groupContext,
            extensions: extensions,
            confirmationTag: confirmationTag,
            signer: signer,
            signature: []
        )
        groupInfo.signature = try provider.signWithLabel(
            groupInfo.toBeSigned(),
            label: Self.signatureLabel,
            privateKey: privateKey
        )
        return groupInfo
    }

    /// Throws `signatureInvalid` unless the signature is `publicKey`'s over `GroupInfoTBS`; `publicKey` is the
    /// signature key of the leaf `signer` (§12.4.3).
    public func verifySignature(publicKey: SignaturePublicKey, provider: any CipherSuiteProvider) throws(MLSError) {
        try provider.verifyWithLabel(signature, content: toBeSigned(), label: Self.signatureLabel, publicKey: publicKey)
    }

    /// Throws `confirmationTagInvalid` unless the confirmation tag is `MAC(confirmation_key,
    /// confirmed_transcript_hash)` for the epoch's secrets, compared in constant time (§12.4.3.1).
    public func verifyConfirmationTag(epochSecrets: EpochSecrets) throws(MLSError) {
        guard
            epochSecrets.verifyConfirmationTag(
                confirmationTag,
                confirmedTranscriptHash: groupContext.confirmedTranscriptHash
            )
        else { throw MLSError(.confirmationTagInvalid, context: "GroupInfo of epoch \(groupContext.epoch)") }
    }

    /// The `GroupInfoTBS` encoding: every field but the signature.
    func toBeSigned() -> [UInt8] {
        var writer = TLSWriter()
        groupContext.encode(to: &writer)
        writer.writeVector(extensions)
        writer.writeOpaque(confirmationTag)
        signer.encode(to: &writer)
        return writer.bytes
    }
}
