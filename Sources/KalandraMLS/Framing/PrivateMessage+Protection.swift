import KalandraCrypto

/// PrivateMessage protection (RFC 9420 §6.3): the content and its authentication data encrypted with a key and
/// nonce of the sender's ratchet in the secret tree (handshake for proposals and commits, application for
/// application data), the nonce's first four bytes XORed with a random `reuse_guard`; then the sender data
/// (leaf, generation, reuse guard) encrypted under a key derived from `sender_data_secret` and a sample of that
/// ciphertext.
extension PrivateMessage {
    /// The most padding bytes `protect` adds to one message.
    public static let maximumPaddingCount = 1 << 16
    /// The largest `application_data` or `authenticated_data` that can be signed and protected, in bytes.
    public static let maximumDataCount = FramedContentTBS.maximumDataCount

    /// Encrypts member-signed `content` (signed for the PrivateMessage wire format) with the next key of the
    /// sender's ratchet in `secretTree`, `paddingCount` zero bytes of padding, and a reuse guard drawn from
    /// `generator` (§6.3.1, §6.3.2).
    public static func protect(
        _ content: AuthenticatedContent,
        secretTree: inout SecretTree,
        senderDataSecret: SecretBytes,
        paddingCount: Int = 0,
        provider: any CipherSuiteProvider,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> PrivateMessage {
        guard content.wireFormat == .privateMessage else {
            throw MLSError(.invalidValue("content was signed for \(content.wireFormat), not a PrivateMessage"))
        }
        guard case .member(let leaf) = content.content.sender else {
            throw MLSError(.invalidValue("only members send PrivateMessages"), context: "\(content.content.sender)")
        }
        guard (0...maximumPaddingCount).contains(paddingCount) else {
            throw MLSError(.lengthLimitExceeded(length: paddingCount, limit: maximumPaddingCount), context: "padding")
        }
        let framed = content.content
        let plaintext = try PrivateMessageContent(body: framed.body, auth: content.auth, paddingCount: paddingCount)
        let keyNonce = try secretTree.nextKey(for: leaf, type: ratchetType(framed.contentType))
        var reuseGuard = [UInt8](repeating: 0, count: SenderData.reuseGuardCount)
        for index in reuseGuard.indices { reuseGuard[index] = UInt8.random(in: .min ... .max, using: &generator) }
        // The serialized content is ours alone: `sealContent` wipes this very buffer, not a copy of it.
        var serializedContent = plaintext.encoded()
        let ciphertext = try sealContent(
            &serializedContent,
            keyNonce: keyNonce,
            reuseGuard: reuseGuard,
            associatedData: PrivateContentAAD(
                groupID: framed.groupID,
                epoch: framed.epoch,
                contentType: framed.contentType,
                authenticatedData: framed.authenticatedData
            ).encoded(),
            provider: provider
        )
        let senderData = try SenderData(leafIndex: leaf, generation: keyNonce.generation, reuseGuard: reuseGuard)
        let senderDataKey = try SenderDataKey(
            senderDataSecret: senderDataSecret,
            ciphertext: ciphertext,
            provider: provider
        )
        let encryptedSenderData = try provider.aeadSeal(
            key: senderDataKey.key,
            nonce: senderDataKey.nonce.withUnsafeBytes { Array($0) },
            associatedData: SenderDataAAD(groupID: framed.groupID, epoch: framed.epoch, contentType: framed.contentType)
                .encoded(),
            plaintext: senderData.encoded()
        )
        return PrivateMessage(
            groupID: framed.groupID,
            epoch: framed.epoch,
            contentType: framed.contentType,
            authenticatedData: framed.authenticatedData,
            encryptedSenderData: encryptedSenderData,
            ciphertext: ciphertext
        )
    }

    /// Decrypts and authenticates this message received in the epoch `context` describes (§6.3): checks the group
    /// and epoch, decrypts the sender data, takes the sender's key of that generation from `secretTree` (consumed
    /// only if the message is authentic), decrypts the content, checks its padding, and verifies the signature with the key
    /// `signaturePublicKey` returns for the sender's leaf; that closure must throw for a blank leaf (§6.3.2).
    /// Throws `wrongGroup`, `wrongEpoch`, `decryptionFailed`, `senderOutsideTree`, `signatureInvalid`, or the
    /// secret tree's error for a generation it cannot provide.
    public func unprotect(
        context: GroupContext,
        secretTree: inout SecretTree,
        senderDataSecret: SecretBytes,
        provider: any CipherSuiteProvider,
        limits: TLSLimits = .default,
        signaturePublicKey: (LeafIndex) throws(MLSError) -> SignaturePublicKey
    ) throws(MLSError) -> AuthenticatedContent {
        try checkGroupAndEpoch(groupID: groupID, epoch: epoch, context: context)
        let senderData = try decryptSenderData(senderDataSecret: senderDataSecret, provider: provider)
        guard secretTree.treeSize.contains(senderData.leafIndex) else {
            throw MLSError(.senderOutsideTree, context: "\(senderData.leafIndex), \(secretTree.treeSize)")
        }
        // Work on a copy: a key is consumed only once the message proves authentic, so a member who forges sender
        // data (every member can) cannot burn another sender's generations.
        var trialTree = secretTree
        let keyNonce = try trialTree.key(
            for: senderData.leafIndex,
            type: Self.ratchetType(contentType),
            generation: senderData.generation
        )
        var plaintext = try Self.openContent(
            ciphertext,
            keyNonce: keyNonce,
            reuseGuard: senderData.reuseGuard,
            associatedData: PrivateContentAAD(
                groupID: groupID,
                epoch: epoch,
                contentType: contentType,
                authenticatedData: authenticatedData
            ).encoded(),
            provider: provider
        )
        defer { Zeroize.bytes(&plaintext) }
        let decrypted = try PrivateMessageContent.decode(plaintext, contentType: contentType, limits: limits)
        let content = try AuthenticatedContent(
            wireFormat: .privateMessage,
            content: FramedContent(
                groupID: groupID,
                epoch: epoch,
                sender: .member(senderData.leafIndex),
                authenticatedData: authenticatedData,
                body: decrypted.body
            ),
            auth: decrypted.auth
        )
        let publicKey = try signaturePublicKey(senderData.leafIndex)
        try content.verifySignature(context: context, publicKey: publicKey, provider: provider)
        secretTree = trialTree
        return content
    }

    /// The `SenderData` of this message (§6.3.2).
    private func decryptSenderData(
        senderDataSecret: SecretBytes,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> SenderData {
        let key = try SenderDataKey(senderDataSecret: senderDataSecret, ciphertext: ciphertext, provider: provider)
        let plaintext = try provider.aeadOpen(
            key: key.key,
            nonce: key.nonce.withUnsafeBytes { Array($0) },
            associatedData: SenderDataAAD(groupID: groupID, epoch: epoch, contentType: contentType).encoded(),
            ciphertext: encryptedSenderData
        )
        return try SenderData.decode(plaintext)
    }

    /// The handshake ratchet for proposals and commits, the application ratchet for application data (§6.3.1).
    private static func ratchetType(_ contentType: ContentType) -> SecretTree.RatchetType {
        contentType == .application ? .application : .handshake
    }

    /// The ratchet nonce with `reuseGuard` XORed into its first four bytes (§6.3.1). The copy is as sensitive as the
    /// nonce; callers wipe it.
    private static func guardedNonce(_ nonce: SecretBytes, reuseGuard: [UInt8]) -> [UInt8] {
        var bytes = nonce.withUnsafeBytes { Array($0) }
        for index in 0..<min(reuseGuard.count, bytes.count) { bytes[index] ^= reuseGuard[index] }
        return bytes
    }

    /// `AEAD.Seal(key, nonce XOR reuse_guard, associatedData, plaintext)` (§6.3.1), then wipes `plaintext` in place,
    /// whether sealing succeeds or not. It takes the caller's buffer `inout` so that the wiped storage is the one
    /// holding the serialized content: a local copy would share that storage, and wiping it would copy first and
    /// leave the original intact.
    package static func sealContent(
        _ plaintext: inout [UInt8],
        keyNonce: RatchetKeyNonce,
        reuseGuard: [UInt8],
        associatedData: [UInt8],
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> [UInt8] {
        var nonce = guardedNonce(keyNonce.nonce, reuseGuard: reuseGuard)
        defer {
            Zeroize.bytes(&plaintext)
            Zeroize.bytes(&nonce)
        }
        return try provider.aeadSeal(
            key: keyNonce.key,
            nonce: nonce,
            associatedData: associatedData,
            plaintext: plaintext
        )
    }

    private static func openContent(
        _ ciphertext: [UInt8],
        keyNonce: RatchetKeyNonce,
        reuseGuard: [UInt8],
        associatedData: [UInt8],
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> [UInt8] {
        var nonce = guardedNonce(keyNonce.nonce, reuseGuard: reuseGuard)
        defer { Zeroize.bytes(&nonce) }
        return try provider.aeadOpen(
            key: keyNonce.key,
            nonce: nonce,
            associatedData: associatedData,
            ciphertext: ciphertext
        )
    }
}
