import KalandraCrypto
import KalandraMLS

/// One entry of welcome.json (snake_case JSON keys, hex values).
public struct WelcomeVectorEntry: Decodable, Sendable {
    /// The suite of every key and message in the entry.
    public let cipherSuite: UInt16
    /// The private key of the KeyPackage's init key.
    @HexBytes public var initPriv: [UInt8]
    /// The public key that signed the GroupInfo.
    @HexBytes public var signerPub: [UInt8]
    /// `MLSMessage` holding the joiner's KeyPackage.
    @HexBytes public var keyPackage: [UInt8]
    /// `MLSMessage` holding the Welcome.
    @HexBytes public var welcome: [UInt8]
}

/// welcome.json (RFC 9420 §12.4.3.1): open the Welcome with the KeyPackage and its init key, verify the GroupInfo's
/// signature with `signer_pub` and its confirmation tag through the key schedule; another signer's key is refused.
enum WelcomeRunner: EntryRunner {
    typealias Entry = WelcomeVectorEntry

    static func cipherSuite(of entry: Entry) -> UInt16? { entry.cipherSuite }

    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        let provider = try check.provider()
        let keyPackageMessage = try step("key_package") { try MLSMessage.decode(entry.keyPackage) }
        guard case .keyPackage(let keyPackage) = keyPackageMessage.body else {
            throw EntryFailure("key_package is not an MLSMessage(KeyPackage)")
        }
        let welcomeMessage = try step("welcome") { try MLSMessage.decode(entry.welcome) }
        guard case .welcome(let welcome) = welcomeMessage.body else {
            throw EntryFailure("welcome is not an MLSMessage(Welcome)")
        }
        let signerKey = SignaturePublicKey(entry.signerPub)
        let joined = try step("opening welcome with key_package and init_priv") {
            try welcome.open(
                keyPackage: keyPackage,
                initPrivateKey: HPKEPrivateKey(SecretBytes(copying: entry.initPriv)),
                provider: provider
            ) { _ in signerKey }
        }
        check.expect(joined.groupSecrets.psks.isEmpty, "welcome group secrets list PSKs")
        check.expectEqual(
            joined.groupInfo.groupContext.cipherSuite,
            CipherSuite(rawValue: entry.cipherSuite),
            "group info cipher suite"
        )
        check.expect(
            joined.keySchedule.epochSecrets.verifyConfirmationTag(
                joined.groupInfo.confirmationTag,
                confirmedTranscriptHash: joined.groupInfo.groupContext.confirmedTranscriptHash
            ),
            "group info confirmation tag differs"
        )

        // Another signer's key fails the GroupInfo signature.
        let otherKey = SignaturePublicKey([UInt8](repeating: 7, count: entry.signerPub.count))
        check.expectError(.signatureInvalid, "opening welcome with another signer's key") {
            _ = try welcome.open(
                keyPackage: keyPackage,
                initPrivateKey: HPKEPrivateKey(SecretBytes(copying: entry.initPriv)),
                provider: provider
            ) { _ in otherKey }
        }
        return 1
    }
}
