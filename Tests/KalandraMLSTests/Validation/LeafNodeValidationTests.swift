import KalandraCore
import KalandraCrypto
import KalandraMLS
import Testing

/// Leaf node validation for a group (RFC 9420 §7.3) through `RatchetTreeState.validateLeafNode`, on a four-member
/// group: each rule passes on a valid leaf node and fails with its own kind after the smallest change that breaks it.
@Suite struct LeafNodeValidationTests {
    let now = ValidationFixture.nowSeconds

    /// Validates `leafNode` in `role` against the fixture's tree and group context.
    func validate(
        _ leafNode: LeafNode,
        as role: LeafNodeRole,
        in fixture: ValidationFixture,
        nowSeconds: UInt64? = ValidationFixture.nowSeconds
    ) throws {
        try fixture.tree.validateLeafNode(
            leafNode,
            as: role,
            groupContext: fixture.groupContext,
            nowSeconds: nowSeconds
        )
    }

    @Test func validLeafNodesPassInEachRole() throws {
        var fixture = try ValidationFixture()
        try validate(try fixture.keyPackage().leafNode, as: .keyPackage, in: fixture)
        try validate(try fixture.updateLeafNode(for: leafIndex(1)), as: .update(leafIndex(1)), in: fixture)
        let commitLeaf = try fixture.updateLeafNode(for: leafIndex(2)) { $0.source = .commit(parentHash: [1, 2]) }
        try validate(commitLeaf, as: .commit(leafIndex(2)), in: fixture)
        #expect(LeafNodeRole.keyPackage.leaf == nil)
        #expect(LeafNodeRole.commit(leafIndex(2)).leaf == leafIndex(2))
    }

    @Test func sourceMustMatchTheRole() throws {
        var fixture = try ValidationFixture()
        let update = try fixture.updateLeafNode(for: leafIndex(1))
        try validate(update, as: .update(leafIndex(1)), in: fixture)
        expectError(.leafNodeSourceMismatch) { try validate(update, as: .commit(leafIndex(1)), in: fixture) }
        let keyPackageLeaf = try fixture.keyPackage().leafNode
        expectError(.leafNodeSourceMismatch) { try validate(keyPackageLeaf, as: .update(leafIndex(1)), in: fixture) }
    }

    @Test func signatureMustBeBoundToTheGroupAndLeaf() throws {
        var fixture = try ValidationFixture()
        try validate(try fixture.updateLeafNode(for: leafIndex(1)), as: .update(leafIndex(1)), in: fixture)
        let forLeaf2 = try fixture.updateLeafNode(for: leafIndex(1), signedFor: leafIndex(2))
        expectError(.leafNodeSignatureInvalid) { try validate(forLeaf2, as: .update(leafIndex(1)), in: fixture) }
        var otherGroup = fixture
        otherGroup.groupContext.groupID = Array("another group".utf8)
        let update = try fixture.updateLeafNode(for: leafIndex(1))
        expectError(.leafNodeSignatureInvalid) { try validate(update, as: .update(leafIndex(1)), in: otherGroup) }
    }

    @Test func keyPackageLifetimeMustIncludeNowWhenGiven() throws {
        var fixture = try ValidationFixture()
        let leafNode = try fixture.keyPackage().leafNode
        try validate(leafNode, as: .keyPackage, in: fixture)
        expectError(.keyPackageExpired) {
            try validate(
                leafNode,
                as: .keyPackage,
                in: fixture,
                nowSeconds: ValidationFixture.lifetime.notAfterSeconds + 1
            )
        }
        try validate(leafNode, as: .keyPackage, in: fixture, nowSeconds: nil)
    }

    @Test func ownCapabilitiesMustListVersionSuiteCredentialAndExtensions() throws {
        var fixture = try ValidationFixture()
        let role = LeafNodeRole.update(leafIndex(1))
        let custom = Extension(extensionType: ValidationFixture.customExtension, extensionData: [7])
        let valid = try fixture.updateLeafNode(for: leafIndex(1)) {
            $0.extensions = [custom]
            $0.capabilities.extensions = [ValidationFixture.customExtension]
        }
        try validate(valid, as: role, in: fixture)
        let cases: [(MLSError.Kind, (inout LeafNode) -> Void)] = [
            (.leafNodeVersionNotInCapabilities, { $0.capabilities.versions = [] }),
            (.leafNodeCipherSuiteNotInCapabilities, { $0.capabilities.cipherSuites = [CipherSuite(rawValue: 3)] }),
            (.leafNodeCredentialNotInCapabilities, { $0.capabilities.credentials = [.x509] }),
            (.leafNodeExtensionNotInCapabilities, { $0.capabilities.extensions = [] }),
            (.duplicateExtensionType, { $0.extensions = [custom, custom] }),
        ]
        for (kind, change) in cases {
            let changed = try fixture.updateLeafNode(for: leafIndex(1)) {
                $0.extensions = [custom]
                $0.capabilities.extensions = [ValidationFixture.customExtension]
                change(&$0)
            }
            expectError(kind) { try validate(changed, as: role, in: fixture) }
        }
    }

    @Test func requiredCapabilitiesMustBeListed() throws {
        let required = RequiredCapabilities(
            extensionTypes: [ValidationFixture.customExtension, .externalSenders],
            proposalTypes: [ValidationFixture.customProposal, .add],
            credentialTypes: [.basic]
        )
        var fixture = try ValidationFixture(groupExtensions: [required.groupContextExtension])
        let meets = ValidationFixture.capabilities(
            extensions: [ValidationFixture.customExtension],
            proposals: [ValidationFixture.customProposal]
        )
        try validate(try fixture.keyPackage(capabilities: meets).leafNode, as: .keyPackage, in: fixture)
        var lacksExtension = meets
        lacksExtension.extensions = []
        var lacksProposal = meets
        lacksProposal.proposals = []
        var lacksCredential = meets
        lacksCredential.credentials = [.x509]
        for capabilities in [lacksExtension, lacksProposal] {
            let leafNode = try fixture.keyPackage(capabilities: capabilities).leafNode
            expectError(.leafNodeLacksRequiredCapabilities) { try validate(leafNode, as: .keyPackage, in: fixture) }
        }
        var requiresX509 = fixture
        var x509Required = required
        x509Required.credentialTypes = [.basic, .x509]
        requiresX509.groupContext.extensions = [x509Required.groupContextExtension]
        let leafNode = try fixture.keyPackage(capabilities: meets).leafNode
        expectError(.leafNodeLacksRequiredCapabilities) { try validate(leafNode, as: .keyPackage, in: requiresX509) }
    }

    @Test func malformedRequiredCapabilitiesAreRefused() throws {
        var fixture = try ValidationFixture()
        let leafNode = try fixture.keyPackage().leafNode
        let required = RequiredCapabilities(extensionTypes: [], proposalTypes: [], credentialTypes: [.basic])
        fixture.groupContext.extensions = [required.groupContextExtension]
        try validate(leafNode, as: .keyPackage, in: fixture)
        fixture.groupContext.extensions = [Extension(extensionType: .requiredCapabilities, extensionData: [0x05])]
        expectError(.requiredCapabilitiesMalformed) { try validate(leafNode, as: .keyPackage, in: fixture) }
    }

    @Test func groupContextExtensionsMustBeListed() throws {
        let custom = Extension(extensionType: ValidationFixture.customExtension, extensionData: [])
        let defaultOne = Extension(extensionType: .externalSenders, extensionData: [])
        var fixture = try ValidationFixture(groupExtensions: [custom, defaultOne])
        let listing = ValidationFixture.capabilities(extensions: [ValidationFixture.customExtension])
        try validate(try fixture.keyPackage(capabilities: listing).leafNode, as: .keyPackage, in: fixture)
        let leafNode = try fixture.keyPackage().leafNode
        expectError(.leafNodeLacksGroupExtension) { try validate(leafNode, as: .keyPackage, in: fixture) }
    }

    @Test func everyOtherMemberMustSupportTheCredentialType() throws {
        let both = ValidationFixture.capabilities(credentials: [.basic, .x509])
        let x509 = Credential.x509(certificates: [Certificate([0x30, 0x00])])
        var supported = try ValidationFixture(capabilities: { _ in both })
        try validate(
            try supported.keyPackage(capabilities: both, credential: x509).leafNode,
            as: .keyPackage,
            in: supported
        )
        var oneBasicOnly = try ValidationFixture(capabilities: { $0 == 2 ? ValidationFixture.capabilities() : both })
        let leafNode = try oneBasicOnly.keyPackage(capabilities: both, credential: x509).leafNode
        expectError(.leafNodeCredentialUnsupportedByMember) {
            try validate(leafNode, as: .keyPackage, in: oneBasicOnly)
        }
        // The member's own old leaf node does not count: leaf 2 may switch to x509 with an Update.
        let update = try oneBasicOnly.updateLeafNode(for: leafIndex(2)) {
            $0.credential = x509
            $0.capabilities = both
        }
        try validate(update, as: .update(leafIndex(2)), in: oneBasicOnly)
    }

    @Test func leafNodeMustSupportEveryCredentialTypeInUse() throws {
        let both = ValidationFixture.capabilities(credentials: [.basic, .x509])
        let x509 = Credential.x509(certificates: [Certificate([0x30, 0x00])])
        var fixture = try ValidationFixture(
            capabilities: { _ in both },
            credential: { $0 == 3 ? x509 : .basic(identity: [UInt8($0)]) }
        )
        try validate(try fixture.keyPackage(capabilities: both).leafNode, as: .keyPackage, in: fixture)
        let basicOnly = try fixture.keyPackage().leafNode
        expectError(.leafNodeLacksMemberCredentialType) { try validate(basicOnly, as: .keyPackage, in: fixture) }
        // Leaf 3 itself may drop x509 when no other member uses it.
        let update = try fixture.updateLeafNode(for: leafIndex(3)) {
            $0.credential = .basic(identity: [3])
            $0.capabilities = ValidationFixture.capabilities()
        }
        try validate(update, as: .update(leafIndex(3)), in: fixture)
    }

    @Test func encryptionKeyMustBeNewToTheTree() throws {
        var fixture = try ValidationFixture()
        let client = try fixture.client()
        try validate(client.bundle.keyPackage.leafNode, as: .keyPackage, in: fixture)
        let memberKey = try #require(fixture.tree.leafNode(at: leafIndex(1))).encryptionKey
        let reused = try fixture.resigned(client.bundle.keyPackage, keys: client.keys) { $0.encryptionKey = memberKey }
        expectError(.leafNodeEncryptionKeyInUse) { try validate(reused.leafNode, as: .keyPackage, in: fixture) }
        let update = try fixture.updateLeafNode(for: leafIndex(2)) { $0.encryptionKey = memberKey }
        expectError(.leafNodeEncryptionKeyInUse) { try validate(update, as: .update(leafIndex(2)), in: fixture) }
    }

    @Test func signatureKeyMustBeNewToTheTreeExceptForTheReplacedLeaf() throws {
        var fixture = try ValidationFixture()
        try validate(try fixture.keyPackage().leafNode, as: .keyPackage, in: fixture)
        let memberKeys = fixture.memberKeys[1]
        let reused = try fixture.resigned(try fixture.keyPackage(), keys: memberKeys) {
            $0.signatureKey = memberKeys.publicKey
        }
        try reused.validate(provider: fixture.provider, nowSeconds: now)
        expectError(.leafNodeSignatureKeyInUse) { try validate(reused.leafNode, as: .keyPackage, in: fixture) }
        // An Update keeps its own signature key.
        try validate(try fixture.updateLeafNode(for: leafIndex(1)), as: .update(leafIndex(1)), in: fixture)
    }

    @Test func updateAndCommitMustChangeTheEncryptionKey() throws {
        var fixture = try ValidationFixture()
        let oldKey = try #require(fixture.tree.leafNode(at: leafIndex(1))).encryptionKey
        try validate(try fixture.updateLeafNode(for: leafIndex(1)), as: .update(leafIndex(1)), in: fixture)
        let update = try fixture.updateLeafNode(for: leafIndex(1)) { $0.encryptionKey = oldKey }
        expectError(.leafNodeEncryptionKeyUnchanged) { try validate(update, as: .update(leafIndex(1)), in: fixture) }
        let commit = try fixture.updateLeafNode(for: leafIndex(1)) {
            $0.encryptionKey = oldKey
            $0.source = .commit(parentHash: [])
        }
        expectError(.leafNodeEncryptionKeyUnchanged) { try validate(commit, as: .commit(leafIndex(1)), in: fixture) }
    }

    @Test func updateMustReplaceAMember() throws {
        var fixture = try ValidationFixture()
        try validate(try fixture.updateLeafNode(for: leafIndex(1)), as: .update(leafIndex(1)), in: fixture)
        let forLeaf5 = try fixture.updateLeafNode(for: leafIndex(1), signedFor: leafIndex(5))
        expectError(.leafNodeReplacesBlankLeaf) { try validate(forLeaf5, as: .update(leafIndex(5)), in: fixture) }
        // An external joiner's UpdatePath leaf takes a blank leaf: nothing to replace, nothing to compare.
        let joiner = try fixture.updateLeafNode(for: leafIndex(1), signedFor: leafIndex(5)) {
            $0.source = .commit(parentHash: [])
        }
        var withoutLeaf1 = fixture
        try withoutLeaf1.tree.remove(leafIndex(1))
        try validate(joiner, as: .commit(leafIndex(5)), in: withoutLeaf1)
    }

    @Test func requiredCapabilitiesRoundTripAndAreFound() throws {
        let required = RequiredCapabilities(
            extensionTypes: [ValidationFixture.customExtension],
            proposalTypes: [ValidationFixture.customProposal],
            credentialTypes: [.basic, .x509]
        )
        let encoded = required.encoded()
        #expect(encoded == [0x02, 0xFF, 0x01, 0x02, 0xFF, 0x02, 0x04, 0x00, 0x01, 0x00, 0x02])
        #expect(try RequiredCapabilities.decode(encoded) == required)
        let other = Extension(extensionType: .applicationID, extensionData: [1])
        #expect(try RequiredCapabilities.find(in: [other, required.groupContextExtension]) == required)
        #expect(try RequiredCapabilities.find(in: [other]) == nil)
    }
}
