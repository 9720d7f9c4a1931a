/// KeyPackage references (RFC 9420 §5.2).
extension KeyPackage {
    /// The `RefHash` label of KeyPackage references.
    public static let referenceLabel = "MLS 1.0 KeyPackage Reference"

    /// `KeyPackageRef = RefHash("MLS 1.0 KeyPackage Reference", KeyPackage)` (§5.2), over the KeyPackage's encoding.
    public func reference(provider: any CipherSuiteProvider) -> KeyPackageRef {
        KeyPackageRef(provider.refHash(label: Self.referenceLabel, value: encoded()))
    }
}
