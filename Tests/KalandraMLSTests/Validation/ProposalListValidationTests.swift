import KalandraCore
import KalandraCrypto
import KalandraMLS
import Testing

/// Proposal list validation (RFC 9420 §12.2, §12.1, §12.4.3.2) on a four-member group whose committer is leaf 0:
/// each rule passes on a valid list and fails with its own kind after the smallest change that breaks it.
@Suite struct ProposalListValidationTests {
    static let committer = Sender.member(LeafIndex(rawValue: 0)!)

    // MARK: - Helpers

    func validate(
        _ proposals: [ProposalWithSender],
        in fixture: ValidationFixture,
        committer: Sender = ProposalListValidationTests.committer,
        external: Bool = false
    ) throws {
        try ProposalListValidator.validate(
            proposals,
            committer: committer,
            tree: fixture.tree,
            groupContext: fixture.groupContext,
            isExternalCommit: external,
            provider: fixture.provider,
            nowSeconds: ValidationFixture.nowSeconds
        )
    }

    /// `proposal` by value from `committer` (default: leaf 0).
    func byValue(_ proposal: Proposal, from committer: Sender? = nil) -> ProposalWithSender {
        ProposalWithSender(proposal: proposal, sender: committer ?? Self.committer, byReference: false)
    }

    func byReference(_ proposal: Proposal, from sender: Sender) -> ProposalWithSender {
        ProposalWithSender(proposal: proposal, sender: sender, byReference: true)
    }

    func remove(_ leaf: UInt32) -> Proposal { .remove(RemoveProposal(removed: leafIndex(leaf))) }

    func add(_ keyPackage: KeyPackage) -> Proposal { .add(AddProposal(keyPackage: keyPackage)) }

    func externalPSK(_ id: String, nonceCount: Int = 32, nonceByte: UInt8 = 1) -> Proposal {
        .preSharedKey(
            PreSharedKeyProposal(
                psk: PreSharedKeyID(
                    key: .external(id: Array(id.utf8)),
                    nonce: [UInt8](repeating: nonceByte, count: nonceCount)
                )
            )
        )
    }

    func resumptionPSK(_ usage: ResumptionPSKUsage) -> Proposal {
        .preSharedKey(
            PreSharedKeyProposal(
                psk: PreSharedKeyID(
                    key: .resumption(usage: usage, groupID: Array("old".utf8), epoch: 3),
                    nonce: [UInt8](repeating: 2, count: 32)
                )
            )
        )
    }

    /// Member `leaf`'s Update, by reference from that member.
    func update(from leaf: UInt32, in fixture: inout ValidationFixture) throws -> ProposalWithSender {
        let leafNode = try fixture.updateLeafNode(for: leafIndex(leaf))
        return byReference(.update(UpdateProposal(leafNode: leafNode)), from: .member(leafIndex(leaf)))
    }

    func reInit(version: ProtocolVersion = .mls10) -> Proposal {
        .reInit(
            ReInitProposal(
                groupID: Array("next".utf8),
                version: version,
                cipherSuite: .x25519Aes128GcmSha256Ed25519,
                extensions: []
            )
        )
    }

    func groupContextExtensions(_ extensions: [Extension]) -> Proposal {
        .groupContextExtensions(GroupContextExtensionsProposal(extensions: extensions))
    }

    let externalInit = Proposal.externalInit(ExternalInitProposal(kemOutput: [UInt8](repeating: 9, count: 32)))

    // MARK: - A valid list

    @Test func aListOfEveryRegularKindPasses() throws {
        var fixture = try ValidationFixture()
        let proposals = [
            byValue(add(try fixture.keyPackage())),
            try update(from: 1, in: &fixture),
            byValue(remove(2)),
            byReference(remove(3), from: .external(senderIndex: 0)),
            byValue(externalPSK("a")),
            byValue(resumptionPSK(.application)),
            byValue(groupContextExtensions([Extension(extensionType: .applicationID, extensionData: [1])])),
            byReference(add(try fixture.keyPackage()), from: .newMemberProposal),
        ]
        try validate(proposals, in: fixture)
        try validate([], in: fixture)
    }

    // MARK: - Committer and senders

    @Test func committerMustBeAMemberOrANewMemberForAnExternalCommit() throws {
        let fixture = try ValidationFixture()
        try validate([], in: fixture, committer: .member(leafIndex(3)))
        try validate(
            [byValue(externalInit, from: .newMemberCommit)],
            in: fixture,
            committer: .newMemberCommit,
            external: true
        )
        expectError(.commitSenderInvalid) { try validate([], in: fixture, committer: .member(leafIndex(4))) }
        expectError(.commitSenderInvalid) { try validate([], in: fixture, committer: .newMemberCommit) }
        expectError(.commitSenderInvalid) {
            try validate([byValue(externalInit)], in: fixture, committer: Self.committer, external: true)
        }
        expectError(.commitSenderInvalid) { try validate([], in: fixture, committer: .external(senderIndex: 0)) }
    }

    @Test func proposalsByValueMustBeTheCommitters() throws {
        let fixture = try ValidationFixture()
        try validate([byValue(remove(2))], in: fixture)
        expectError(.proposalByValueNotFromCommitter) {
            try validate([byValue(remove(2), from: .member(leafIndex(1)))], in: fixture)
        }
    }

    @Test func proposalsByReferenceMustNotComeFromANewMemberCommit() throws {
        let fixture = try ValidationFixture()
        try validate([byReference(remove(2), from: .member(leafIndex(1)))], in: fixture)
        expectError(.proposalSenderTypeInvalid) {
            try validate([byReference(remove(2), from: .newMemberCommit)], in: fixture)
        }
    }

    @Test func externalSendersMaySendOnlyTheirTypes() throws {
        var fixture = try ValidationFixture()
        let external = Sender.external(senderIndex: 1)
        let allowed: [Proposal] = [
            add(try fixture.keyPackage()), remove(2), externalPSK("x"),
            groupContextExtensions([]),
        ]
        for proposal in allowed { try validate([byReference(proposal, from: external)], in: fixture) }
        try validate([byReference(reInit(), from: external)], in: fixture)
        let leafNode = try fixture.updateLeafNode(for: leafIndex(1))
        expectError(.externalSenderProposalTypeNotAllowed) {
            try validate([byReference(.update(UpdateProposal(leafNode: leafNode)), from: external)], in: fixture)
        }
    }

    @Test func newMemberProposalsMustBeAdds() throws {
        var fixture = try ValidationFixture()
        try validate([byReference(add(try fixture.keyPackage()), from: .newMemberProposal)], in: fixture)
        expectError(.newMemberProposalNotAdd) {
            try validate([byReference(remove(2), from: .newMemberProposal)], in: fixture)
        }
    }

    // MARK: - Updates and Removes

    @Test func updatesMustComeByReference() throws {
        var fixture = try ValidationFixture()
        let update = try update(from: 1, in: &fixture)
        try validate([update], in: fixture)
        expectError(.updateByValue) { try validate([byValue(update.proposal)], in: fixture) }
    }

    @Test func updatesMustNotBeTheCommitters() throws {
        var fixture = try ValidationFixture()
        let update = try update(from: 1, in: &fixture)
        try validate([update], in: fixture)
        try validate([update], in: fixture, committer: .member(leafIndex(2)))
        expectError(.updateFromCommitter) { try validate([update], in: fixture, committer: .member(leafIndex(1))) }
    }

    @Test func removesMustNotRemoveTheCommitter() throws {
        let fixture = try ValidationFixture()
        try validate([byValue(remove(1))], in: fixture)
        expectError(.removeOfCommitter) { try validate([byValue(remove(0))], in: fixture) }
    }

    @Test func removesMustNameANonBlankLeaf() throws {
        var fixture = try ValidationFixture(memberCount: 4)
        try fixture.tree.remove(leafIndex(2))
        try validate([byValue(remove(3))], in: fixture)
        expectError(.removeOfBlankLeaf) { try validate([byValue(remove(2))], in: fixture) }
        expectError(.removeOfBlankLeaf) { try validate([byValue(remove(4))], in: fixture) }
        var beyondAnyTree = RemoveProposal(removed: leafIndex(0))
        beyondAnyTree.removed = UInt32.max
        expectError(.removeOfBlankLeaf) { try validate([byValue(.remove(beyondAnyTree))], in: fixture) }
    }

    @Test func aLeafMustNotBeBothUpdatedAndRemoved() throws {
        var fixture = try ValidationFixture()
        let update = try update(from: 1, in: &fixture)
        try validate([update, byValue(remove(2))], in: fixture)
        expectError(.updateAndRemoveOfSameLeaf) { try validate([update, byValue(remove(1))], in: fixture) }
    }

    @Test func aLeafMustNotBeUpdatedTwice() throws {
        var fixture = try ValidationFixture()
        let first = try update(from: 1, in: &fixture)
        let second = try update(from: 1, in: &fixture)
        try validate([first, try update(from: 2, in: &fixture)], in: fixture)
        expectError(.multipleUpdatesOfSameLeaf) { try validate([first, second], in: fixture) }
    }

    @Test func aLeafMustNotBeRemovedTwice() throws {
        let fixture = try ValidationFixture()
        try validate([byValue(remove(1)), byValue(remove(2))], in: fixture)
        expectError(.multipleRemovesOfSameLeaf) {
            try validate([byValue(remove(1)), byReference(remove(1), from: .member(leafIndex(3)))], in: fixture)
        }
    }

    @Test func anUpdatesLeafNodeMustBeValid() throws {
        var fixture = try ValidationFixture()
        try validate([try update(from: 1, in: &fixture)], in: fixture)
        let oldKey = try #require(fixture.tree.leafNode(at: leafIndex(1))).encryptionKey
        let unchanged = try fixture.updateLeafNode(for: leafIndex(1)) { $0.encryptionKey = oldKey }
        expectError(.leafNodeEncryptionKeyUnchanged) {
            try validate(
                [byReference(.update(UpdateProposal(leafNode: unchanged)), from: .member(leafIndex(1)))],
                in: fixture
            )
        }
        let takenKey = try #require(fixture.tree.leafNode(at: leafIndex(2))).encryptionKey
        let taken = try fixture.updateLeafNode(for: leafIndex(1)) { $0.encryptionKey = takenKey }
        expectError(.leafNodeEncryptionKeyInUse) {
            try validate(
                [byReference(.update(UpdateProposal(leafNode: taken)), from: .member(leafIndex(1)))],
                in: fixture
            )
        }
    }

    // MARK: - Adds

    @Test func anAddsKeyPackageMustBeValid() throws {
        var fixture = try ValidationFixture()
        let client = try fixture.client()
        try validate([byValue(add(client.bundle.keyPackage))], in: fixture)
        var badSignature = client.bundle.keyPackage
        badSignature.signature[5] ^= 0x10
        expectError(.keyPackageSignatureInvalid) { try validate([byValue(add(badSignature))], in: fixture) }
        let expired = try fixture.resigned(client.bundle.keyPackage, keys: client.keys) {
            $0.source = .keyPackage(Lifetime(notBeforeSeconds: 0, notAfterSeconds: ValidationFixture.nowSeconds - 1))
        }
        expectError(.keyPackageExpired) { try validate([byValue(add(expired))], in: fixture) }
    }

    @Test func anAddMustNotBeAClientAlreadyInTheGroupUnlessItIsRemoved() throws {
        var fixture = try ValidationFixture()
        let memberKeys = fixture.memberKeys[1]
        let sameSigner = try fixture.resigned(try fixture.keyPackage(), keys: memberKeys) {
            $0.signatureKey = memberKeys.publicKey
        }
        try validate([byValue(add(try fixture.keyPackage()))], in: fixture)
        expectError(.addOfExistingClient) { try validate([byValue(add(sameSigner))], in: fixture) }
        try validate([byValue(remove(1)), byValue(add(sameSigner))], in: fixture)
        let memberEncryptionKey = try #require(fixture.tree.leafNode(at: leafIndex(2))).encryptionKey
        let client = try fixture.client()
        let sameEncryptionKey = try fixture.resigned(client.bundle.keyPackage, keys: client.keys) {
            $0.encryptionKey = memberEncryptionKey
        }
        expectError(.addOfExistingClient) { try validate([byValue(add(sameEncryptionKey))], in: fixture) }
    }

    @Test func twoAddsMustNotBeTheSameClient() throws {
        var fixture = try ValidationFixture()
        let client = try fixture.client()
        let other = try fixture.keyPackage()
        try validate([byValue(add(client.bundle.keyPackage)), byValue(add(other))], in: fixture)
        let secondOfSameClient = try fixture.resigned(try fixture.keyPackage(), keys: client.keys) {
            $0.signatureKey = client.keys.publicKey
        }
        expectError(.addsOfSameClient) {
            try validate([byValue(add(client.bundle.keyPackage)), byValue(add(secondOfSameClient))], in: fixture)
        }
    }

    @Test func addsAreCheckedAgainstEachOthersCredentialTypes() throws {
        let both = ValidationFixture.capabilities(credentials: [.basic, .x509])
        var fixture = try ValidationFixture(capabilities: { _ in both })
        let x509 = Credential.x509(certificates: [Certificate([0x30, 0x00])])
        let x509Client = try fixture.keyPackage(capabilities: both, credential: x509)
        try validate([byValue(add(x509Client)), byValue(add(try fixture.keyPackage(capabilities: both)))], in: fixture)
        let basicOnly = try fixture.keyPackage()
        try validate([byValue(add(basicOnly))], in: fixture)
        // Whichever comes first breaks its rule: basic-only cannot hold x509, x509 is not supported by basic-only.
        expectError(.leafNodeLacksMemberCredentialType) {
            try validate([byValue(add(basicOnly)), byValue(add(x509Client))], in: fixture)
        }
        expectError(.leafNodeCredentialUnsupportedByMember) {
            try validate([byValue(add(x509Client)), byValue(add(basicOnly))], in: fixture)
        }
    }

    @Test func anAddMustMeetTheGroupsRequiredCapabilities() throws {
        let required = RequiredCapabilities(
            extensionTypes: [ValidationFixture.customExtension],
            proposalTypes: [],
            credentialTypes: []
        )
        let listing = ValidationFixture.capabilities(extensions: [ValidationFixture.customExtension])
        var fixture = try ValidationFixture(
            capabilities: { _ in listing },
            groupExtensions: [required.groupContextExtension]
        )
        try validate([byValue(add(try fixture.keyPackage(capabilities: listing)))], in: fixture)
        let lacking = try fixture.keyPackage()
        expectError(.leafNodeLacksRequiredCapabilities) { try validate([byValue(add(lacking))], in: fixture) }
    }

    // MARK: - PreSharedKeys, ReInit, ExternalInit

    @Test func preSharedKeysMustNotRepeat() throws {
        let fixture = try ValidationFixture()
        try validate([byValue(externalPSK("a")), byValue(externalPSK("b"))], in: fixture)
        expectError(.duplicatePreSharedKey) {
            try validate([byValue(externalPSK("a")), byValue(externalPSK("a", nonceByte: 7))], in: fixture)
        }
        expectError(.duplicatePreSharedKey) {
            try validate([byValue(resumptionPSK(.application)), byValue(resumptionPSK(.application))], in: fixture)
        }
    }

    @Test func preSharedKeyNoncesMustBeKDFNhLong() throws {
        let fixture = try ValidationFixture()
        try validate([byValue(externalPSK("a", nonceCount: 32))], in: fixture)
        for count in [0, 31, 33] {
            expectError(.preSharedKeyNonceLengthInvalid) {
                try validate([byValue(externalPSK("a", nonceCount: count))], in: fixture)
            }
        }
    }

    @Test func reInitAndBranchResumptionPreSharedKeysOnlyStartAGroup() throws {
        let fixture = try ValidationFixture()
        try validate([byValue(resumptionPSK(.application))], in: fixture)
        var firstCommit = fixture
        firstCommit.groupContext.epoch = 0
        for usage in [ResumptionPSKUsage.reInit, .branch] {
            expectError(.preSharedKeyUsageNotAllowed) { try validate([byValue(resumptionPSK(usage))], in: fixture) }
            // The first commit of a group is how a reinitialised group or a branch starts (§11.2, §11.3).
            try validate([byValue(resumptionPSK(usage))], in: firstCommit)
        }
    }

    @Test func aReInitMustBeAlone() throws {
        let fixture = try ValidationFixture()
        try validate([byValue(reInit())], in: fixture)
        expectError(.reInitNotAlone) { try validate([byValue(reInit()), byValue(externalPSK("a"))], in: fixture) }
        expectError(.reInitNotAlone) { try validate([byValue(remove(1)), byValue(reInit())], in: fixture) }
    }

    @Test func aReInitMustNotLowerTheVersion() throws {
        let fixture = try ValidationFixture()
        try validate([byValue(reInit(version: ProtocolVersion(rawValue: 2)))], in: fixture)
        expectError(.reInitVersionDowngrade) {
            try validate([byValue(reInit(version: ProtocolVersion(rawValue: 0)))], in: fixture)
        }
    }

    @Test func aRegularCommitMustNotHoldAnExternalInit() throws {
        let fixture = try ValidationFixture()
        try validate([byValue(externalPSK("a"))], in: fixture)
        expectError(.externalInitInRegularCommit) { try validate([byValue(externalInit)], in: fixture) }
    }

    // MARK: - GroupContextExtensions

    @Test func atMostOneGroupContextExtensions() throws {
        let fixture = try ValidationFixture()
        try validate([byValue(groupContextExtensions([]))], in: fixture)
        expectError(.multipleGroupContextExtensions) {
            try validate([byValue(groupContextExtensions([])), byValue(groupContextExtensions([]))], in: fixture)
        }
    }

    @Test func groupContextExtensionsMustNotRepeatATypeAndMustDecode() throws {
        let fixture = try ValidationFixture()
        let application = Extension(extensionType: .applicationID, extensionData: [1])
        try validate([byValue(groupContextExtensions([application]))], in: fixture)
        expectError(.duplicateExtensionType) {
            try validate([byValue(groupContextExtensions([application, application]))], in: fixture)
        }
        let malformed = Extension(extensionType: .requiredCapabilities, extensionData: [0x01])
        expectError(.requiredCapabilitiesMalformed) {
            try validate([byValue(groupContextExtensions([application, malformed]))], in: fixture)
        }
    }

    @Test func groupContextExtensionsMustBeSupportedByEveryMemberAfterTheCommit() throws {
        let listing = ValidationFixture.capabilities(extensions: [ValidationFixture.customExtension])
        var fixture = try ValidationFixture(capabilities: { $0 == 3 ? ValidationFixture.capabilities() : listing })
        let custom = byValue(
            groupContextExtensions([Extension(extensionType: ValidationFixture.customExtension, extensionData: [])])
        )
        try validate([custom, byValue(remove(3))], in: fixture)
        expectError(.groupContextExtensionUnsupportedByMember) { try validate([custom], in: fixture) }
        let lackingNewcomer = byValue(add(try fixture.keyPackage()))
        expectError(.groupContextExtensionUnsupportedByMember) {
            try validate([custom, byValue(remove(3)), lackingNewcomer], in: fixture)
        }
        try validate(
            [custom, byValue(remove(3)), byValue(add(try fixture.keyPackage(capabilities: listing)))],
            in: fixture
        )
    }

    @Test func groupContextRequiredCapabilitiesMustBeMetByEveryMemberAfterTheCommit() throws {
        let listing = ValidationFixture.capabilities(proposals: [ValidationFixture.customProposal])
        let fixture = try ValidationFixture(capabilities: { $0 == 2 ? ValidationFixture.capabilities() : listing })
        let required = RequiredCapabilities(
            extensionTypes: [],
            proposalTypes: [ValidationFixture.customProposal],
            credentialTypes: [.basic]
        )
        let proposal = byValue(groupContextExtensions([required.groupContextExtension]))
        try validate([proposal, byValue(remove(2))], in: fixture)
        expectError(.groupContextRequiredCapabilitiesUnmet) { try validate([proposal], in: fixture) }
    }

    // MARK: - Proposal types

    @Test func nonDefaultProposalTypesMustBeSupportedByTheMembersWhoProcess() throws {
        let listing = ValidationFixture.capabilities(proposals: [ValidationFixture.customProposal])
        let all = try ValidationFixture(capabilities: { _ in listing })
        try ProposalListValidator.validateSupport(of: ValidationFixture.customProposal, in: all.tree, excluding: [])
        let oneLacking = try ValidationFixture(capabilities: { $0 == 1 ? ValidationFixture.capabilities() : listing })
        expectError(.proposalTypeUnsupportedByMember) {
            try ProposalListValidator.validateSupport(
                of: ValidationFixture.customProposal,
                in: oneLacking.tree,
                excluding: []
            )
        }
        try ProposalListValidator.validateSupport(
            of: ValidationFixture.customProposal,
            in: oneLacking.tree,
            excluding: [leafIndex(1)]
        )
        for type in 1...7 {
            try ProposalListValidator.validateSupport(
                of: ProposalType(rawValue: UInt16(type)),
                in: oneLacking.tree,
                excluding: []
            )
        }
    }

    // MARK: - External commits

    @Test func externalCommitsMustCarryEverythingByValue() throws {
        let fixture = try ValidationFixture()
        let joiner = Sender.newMemberCommit
        try validate(
            [byValue(externalInit, from: joiner), byValue(externalPSK("a"), from: joiner)],
            in: fixture,
            committer: joiner,
            external: true
        )
        expectError(.externalCommitProposalByReference) {
            try validate(
                [byValue(externalInit, from: joiner), byReference(externalPSK("a"), from: .member(leafIndex(1)))],
                in: fixture,
                committer: joiner,
                external: true
            )
        }
    }

    @Test func externalCommitsMustHoldExactlyOneExternalInit() throws {
        let fixture = try ValidationFixture()
        let joiner = Sender.newMemberCommit
        try validate([byValue(externalInit, from: joiner)], in: fixture, committer: joiner, external: true)
        expectError(.externalCommitExternalInitCount) {
            try validate([byValue(externalPSK("a"), from: joiner)], in: fixture, committer: joiner, external: true)
        }
        expectError(.externalCommitExternalInitCount) {
            try validate(
                [byValue(externalInit, from: joiner), byValue(externalInit, from: joiner)],
                in: fixture,
                committer: joiner,
                external: true
            )
        }
    }

    @Test func externalCommitsMayRemoveOneLeafOnly() throws {
        let fixture = try ValidationFixture()
        let joiner = Sender.newMemberCommit
        let one = [byValue(externalInit, from: joiner), byValue(remove(2), from: joiner)]
        try validate(one, in: fixture, committer: joiner, external: true)
        expectError(.externalCommitMultipleRemoves) {
            try validate(one + [byValue(remove(3), from: joiner)], in: fixture, committer: joiner, external: true)
        }
    }

    @Test func externalCommitsMayHoldOnlyExternalInitRemoveAndPreSharedKey() throws {
        var fixture = try ValidationFixture()
        let joiner = Sender.newMemberCommit
        let base = [byValue(externalInit, from: joiner)]
        try validate(base + [byValue(externalPSK("a"), from: joiner)], in: fixture, committer: joiner, external: true)
        let others: [Proposal] = [add(try fixture.keyPackage()), groupContextExtensions([]), reInit()]
        for proposal in others {
            expectError(.externalCommitProposalTypeNotAllowed) {
                try validate(base + [byValue(proposal, from: joiner)], in: fixture, committer: joiner, external: true)
            }
        }
    }
}
