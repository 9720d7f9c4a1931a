import KalandraCrypto

extension KeySchedule {
    /// The HPKE exporter context of an external init (§8.3).
    private static let externalInitLabel = Array("MLS 1.0 external init secret".utf8)

    /// A joiner's side of an external init (§8.3): `kem_output, context = SetupBaseS(external_pub, "")` and
    /// `init_secret = context.export("MLS 1.0 external init secret", KDF.Nh)`. The KEM output goes into the
    /// ExternalInit proposal; the init secret starts the joiner's key schedule.
    public static func externalInit(
        externalPublicKey: HPKEPublicKey,
        provider: any CipherSuiteProvider,
        using generator: inout some RandomNumberGenerator
    ) throws(MLSError) -> (kemOutput: [UInt8], initSecret: SecretBytes) {
        let exported = try provider.hpkeExportSender(
            publicKey: externalPublicKey,
            info: [],
            exporterContext: externalInitLabel,
            length: provider.kdfLength,
            using: &generator
        )
        return (exported.kemOutput, exported.secret)
    }

    /// A member's side of an external init (§8.3): the `init_secret` from an ExternalInit proposal's `kemOutput`
    /// and the previous epoch's external private key (`EpochSecrets.externalKeyPair()`).
    public static func externalInitSecret(
        kemOutput: [UInt8],
        externalPrivateKey: HPKEPrivateKey,
        provider: any CipherSuiteProvider
    ) throws(MLSError) -> SecretBytes {
        try provider.hpkeExportReceiver(
            privateKey: externalPrivateKey,
            kemOutput: kemOutput,
            info: [],
            exporterContext: externalInitLabel,
            length: provider.kdfLength
        )
    }
}
