import Foundation
import KalandraCore
import KalandraCrypto
import KalandraMLS
import Testing

/// KeyPackage creation and validation (RFC 9420 §10, §10.1): each rule passes on a valid KeyPackage and fails with
/// its own kind after the smallest change that breaks it (fields changed are signed again, so only that rule fails).
@Suite struct KeyPackageValidationTests {
    let now = ValidationFixture.nowSeconds
    var fixture: ValidationFixture
    let keys: SignatureKeyPair
    let valid: KeyPackage

    init() throws {
        fixture = try ValidationFixture(memberCount: 1)
        let client = try fixture.client()
        (keys, valid) = (client.keys, client.bundle.keyPackage)
        // Every test starts from this KeyPackage, so each runs the valid case before its broken one.
        try valid.validate(provider: fixture.provider, nowSeconds: now)
    }

    var provider: any CipherSuiteProvider { fixture.provider }

    @Test func generatedBundleIsValidAndHoldsMatchingPrivateKeys() throws {
        var fixture = fixture
        let (keys, bundle) = try fixture.client()
        let keyPackage = bundle.keyPackage
        try keyPackage.validate(provider: provider, nowSeconds: now)
        try keyPackage.validate(provider: provider, nowSeconds: nil)
        #expect(keyPackage.version == .mls10)
        #expect(keyPackage.cipherSuite == provider.cipherSuite)
        #expect(keyPackage.leafNode.source == .keyPackage(ValidationFixture.lifetime))
        #expect(keyPackage.leafNode.signatureKey == keys.publicKey)
        #expect(try provider.hpkePublicKey(for: bundle.initPrivateKey) == keyPackage.initKey)
        #expect(try provider.hpkePublicKey(for: bundle.encryptionPrivateKey) == keyPackage.leafNode.encryptionKey)
        #expect(try KeyPackage.decode(keyPackage.encoded()) == keyPackage)
    }

    @Test func generateRefusesCapabilitiesThatOmitTheCredentialType() throws {
        var fixture = fixture
        _ = try fixture.client(capabilities: ValidationFixture.capabilities(credentials: [.basic]))
        expectError(.leafNodeCredentialNotInCapabilities) {
            _ = try fixture.client(capabilities: ValidationFixture.capabilities(credentials: [.x509]))
        }
    }

    @Test func signedRefusesAKeyThatIsNotTheLeafNodes() throws {
        var fixture = fixture
        let other = fixture.provider.generateSignatureKeyPair(using: &fixture.generator)
        let unsigned = valid.leafNode
        _ = try KeyPackage.signed(
            initKey: valid.initKey,
            leafNode: unsigned,
            extensions: [],
            signaturePrivateKey: keys.privateKey,
            provider: provider
        )
        expectError(.keyPackageSigningKeyMismatch) {
            _ = try KeyPackage.signed(
                initKey: valid.initKey,
                leafNode: unsigned,
                extensions: [],
                signaturePrivateKey: other.privateKey,
                provider: provider
            )
        }
        var updateSource = unsigned
        updateSource.source = .update
        expectError(.leafNodeSourceMismatch) {
            _ = try KeyPackage.signed(
                initKey: valid.initKey,
                leafNode: updateSource,
                extensions: [],
                signaturePrivateKey: keys.privateKey,
                provider: provider
            )
        }
    }

    @Test func versionMustBeMLS10() throws {
        try fixture.resigned(valid, keys: keys).validate(provider: provider, nowSeconds: now)
        let changed = try fixture.resigned(valid, keys: keys) { _ in
        } package: {
            $0.version = ProtocolVersion(rawValue: 2)
        }
        expectError(.keyPackageVersionUnsupported) { try changed.validate(provider: provider, nowSeconds: now) }
    }

    @Test func cipherSuiteMustBeTheGroups() throws {
        let suite3 = try CipherSuite.x25519ChaCha20Poly1305Sha256Ed25519.provider()
        let forSuite3 = try fixture.resigned(valid, keys: keys) {
            $0.capabilities.cipherSuites = [.x25519ChaCha20Poly1305Sha256Ed25519]
        } package: {
            $0.cipherSuite = .x25519ChaCha20Poly1305Sha256Ed25519
        }
        try forSuite3.validate(provider: suite3, nowSeconds: now)
        expectError(.keyPackageCipherSuiteMismatch) { try forSuite3.validate(provider: provider, nowSeconds: now) }
    }

    @Test func leafNodeSourceMustBeKeyPackage() throws {
        let changed = try fixture.resigned(valid, keys: keys) { $0.source = .update }
        expectError(.leafNodeSourceMismatch) { try changed.validate(provider: provider, nowSeconds: now) }
    }

    @Test func leafNodeSignatureMustVerify() throws {
        var changed = valid
        changed.leafNode.signature[0] ^= 0x01
        try changed.sign(privateKey: keys.privateKey, provider: provider)
        expectError(.leafNodeSignatureInvalid) { try changed.validate(provider: provider, nowSeconds: now) }
    }

    @Test func lifetimeMustIncludeNowWhenGiven() throws {
        let lifetime = ValidationFixture.lifetime
        for inside in [lifetime.notBeforeSeconds, now, lifetime.notAfterSeconds] {
            try valid.validate(provider: provider, nowSeconds: inside)
        }
        for outside in [lifetime.notBeforeSeconds - 1, lifetime.notAfterSeconds + 1, 0] {
            expectError(.keyPackageExpired) { try valid.validate(provider: provider, nowSeconds: outside) }
        }
        try valid.validate(provider: provider, nowSeconds: nil)
    }

    @Test func capabilitiesMustListTheVersion() throws {
        let changed = try fixture.resigned(valid, keys: keys) {
            $0.capabilities.versions = [ProtocolVersion(rawValue: 2)]
        }
        expectError(.leafNodeVersionNotInCapabilities) { try changed.validate(provider: provider, nowSeconds: now) }
    }

    @Test func capabilitiesMustListTheCipherSuite() throws {
        let changed = try fixture.resigned(valid, keys: keys) {
            $0.capabilities.cipherSuites = [.x25519ChaCha20Poly1305Sha256Ed25519]
        }
        expectError(.leafNodeCipherSuiteNotInCapabilities) {
            try changed.validate(provider: provider, nowSeconds: now)
        }
    }

    @Test func capabilitiesMustListTheCredentialType() throws {
        let changed = try fixture.resigned(valid, keys: keys) { $0.capabilities.credentials = [.x509] }
        expectError(.leafNodeCredentialNotInCapabilities) {
            try changed.validate(provider: provider, nowSeconds: now)
        }
    }

    @Test func leafNodeExtensionsMustBeInCapabilities() throws {
        let custom = Extension(extensionType: ValidationFixture.customExtension, extensionData: [1])
        let listed = try fixture.resigned(valid, keys: keys) {
            $0.extensions = [custom, Extension(extensionType: .applicationID, extensionData: [2])]
            $0.capabilities.extensions = [ValidationFixture.customExtension]
        }
        try listed.validate(provider: provider, nowSeconds: now)
        let unlisted = try fixture.resigned(listed, keys: keys) { $0.capabilities.extensions = [] }
        expectError(.leafNodeExtensionNotInCapabilities) {
            try unlisted.validate(provider: provider, nowSeconds: now)
        }
    }

    @Test func extensionTypesMustNotRepeat() throws {
        let custom = Extension(extensionType: ValidationFixture.customExtension, extensionData: [1])
        let once = try fixture.resigned(valid, keys: keys) {
            $0.extensions = [custom]
            $0.capabilities.extensions = [ValidationFixture.customExtension]
        } package: {
            $0.extensions = [custom]
        }
        try once.validate(provider: provider, nowSeconds: now)
        let twiceInLeaf = try fixture.resigned(once, keys: keys) { $0.extensions = [custom, custom] }
        expectError(.duplicateExtensionType) { try twiceInLeaf.validate(provider: provider, nowSeconds: now) }
        let twiceInPackage = try fixture.resigned(once, keys: keys) { _ in
        } package: {
            $0.extensions = [custom, custom]
        }
        expectError(.duplicateExtensionType) { try twiceInPackage.validate(provider: provider, nowSeconds: now) }
    }

    @Test func keyPackageExtensionsMustBeInCapabilities() throws {
        let custom = Extension(extensionType: ValidationFixture.customExtension, extensionData: [1])
        let listed = try fixture.resigned(valid, keys: keys) {
            $0.capabilities.extensions = [ValidationFixture.customExtension]
        } package: {
            $0.extensions = [custom, Extension(extensionType: .externalSenders, extensionData: [])]
        }
        try listed.validate(provider: provider, nowSeconds: now)
        let unlisted = try fixture.resigned(listed, keys: keys) { $0.capabilities.extensions = [] }
        expectError(.keyPackageExtensionNotInCapabilities) {
            try unlisted.validate(provider: provider, nowSeconds: now)
        }
    }

    @Test func signatureMustVerifyWithTheLeafSignatureKey() throws {
        try valid.verifySignature(provider: provider)
        for position in [0, valid.signature.count / 2, valid.signature.count - 1] {
            var changed = valid
            changed.signature[position] ^= 0x01
            expectError(.keyPackageSignatureInvalid) { try changed.validate(provider: provider, nowSeconds: now) }
        }
        var fixture = fixture
        let stranger = fixture.provider.generateSignatureKeyPair(using: &fixture.generator)
        var signedByStranger = valid
        try signedByStranger.sign(privateKey: stranger.privateKey, provider: provider)
        expectError(.keyPackageSignatureInvalid) { try signedByStranger.validate(provider: provider, nowSeconds: now) }
    }

    @Test func initKeyMustDifferFromEncryptionKey() throws {
        let changed = try fixture.resigned(valid, keys: keys) { _ in
        } package: {
            $0.initKey = $0.leafNode.encryptionKey
        }
        expectError(.keyPackageInitKeyEqualsEncryptionKey) {
            try changed.validate(provider: provider, nowSeconds: now)
        }
    }

    // MARK: - A KeyPackage from mls-rs

    /// The KeyPackage mls-rs wrote (Interop/SOURCE.md), unwrapped from its MLSMessage.
    static func mlsRSKeyPackage() throws -> KeyPackage {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interop/mlsrs-messages.json")
        let entries = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]]
        let hex = try #require(entries?.first?["mls_key_package"] as? String)
        let message = try MLSMessage.decode(try #require(Hex.decode(hex)))
        guard case .keyPackage(let keyPackage) = message.body else {
            throw MLSError(.invalidValue("mls_key_package is not a KeyPackage"))
        }
        return keyPackage
    }

    @Test func mlsRSKeyPackageIsValidAndABitFlipInItsSignatureIsNot() throws {
        let keyPackage = try Self.mlsRSKeyPackage()
        guard case .keyPackage(let lifetime) = keyPackage.leafNode.source else {
            Issue.record("mls-rs KeyPackage leaf source")
            return
        }
        try keyPackage.validate(provider: provider, nowSeconds: nil)
        try keyPackage.validate(provider: provider, nowSeconds: lifetime.notBeforeSeconds + 60)
        expectError(.keyPackageExpired) {
            try keyPackage.validate(provider: provider, nowSeconds: lifetime.notAfterSeconds + 1)
        }
        var flipped = keyPackage
        flipped.signature[flipped.signature.count / 2] ^= 0x08
        expectError(.keyPackageSignatureInvalid) { try flipped.validate(provider: provider, nowSeconds: nil) }
        var leafFlipped = keyPackage
        leafFlipped.leafNode.signature[0] ^= 0x01
        expectError(.leafNodeSignatureInvalid) { try leafFlipped.validate(provider: provider, nowSeconds: nil) }
    }
}
