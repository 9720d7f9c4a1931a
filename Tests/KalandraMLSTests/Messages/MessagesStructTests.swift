import KalandraCrypto
import KalandraMLS
import KalandraMLSVectors
import Testing

/// The message structs beyond what messages.json holds: construction rules, context-dependent encodings, and each
/// closed enum's refusal of values it does not define.
@Suite struct MessagesStructTests {
    let vector: MessagesVectorTests.Vector

    init() throws { vector = try #require(try MessagesVectorTests.loadVectors().first) }

    func publicCommit() throws -> PublicMessage {
        guard case .publicMessage(let message) = try MLSMessage.decode(vector.publicMessageCommit).body else {
            throw MLSError(.invalidValue("public_message_commit is not a public message"))
        }
        return message
    }

    @Test func authenticatedContentRoundTripsAndChecksTheConfirmationTag() throws {
        let message = try publicCommit()
        let content = try AuthenticatedContent(wireFormat: .publicMessage, content: message.content, auth: message.auth)
        #expect(try AuthenticatedContent.decode(content.encoded()) == content)

        let untagged = FramedContentAuthData(signature: message.auth.signature, confirmationTag: nil)
        #expect(!untagged.isConsistent(with: .commit))
        expectError(.invalidValue("a confirmation tag must be present exactly for commits")) {
            _ = try AuthenticatedContent(wireFormat: .publicMessage, content: message.content, auth: untagged)
        }
    }

    @Test func publicMessageTagsMustMatchTheSenderAndContent() throws {
        let message = try publicCommit()
        let rebuilt = try PublicMessage(
            content: message.content,
            auth: message.auth,
            membershipTag: message.membershipTag
        )
        #expect(rebuilt == message)

        let membershipError = MLSError.Kind.invalidValue("a membership tag must be present exactly for member senders")
        var external = message.content
        external.sender = .external(senderIndex: 7)
        expectError(membershipError) {
            _ = try PublicMessage(content: external, auth: message.auth, membershipTag: [1])
        }
        let fromExternal = try PublicMessage(content: external, auth: message.auth, membershipTag: nil)
        #expect(try PublicMessage.decode(fromExternal.encoded()) == fromExternal)

        var application = message.content
        application.body = .application([1, 2, 3])
        expectError(.invalidValue("a confirmation tag must be present exactly for commits")) {
            _ = try PublicMessage(content: application, auth: message.auth, membershipTag: message.membershipTag)
        }
    }

    @Test(arguments: [Sender.newMemberProposal, .newMemberCommit, .external(senderIndex: 0xFFFF_FFFF)])
    func nonMemberSendersRoundTrip(_ sender: Sender) throws {
        #expect(try Sender.decode(sender.encoded()) == sender)
        #expect(sender.senderType != .member)
    }

    @Test func privateMessageContentPaddingMustBeZeros() throws {
        let message = try publicCommit()
        let plaintext = try PrivateMessageContent(body: message.content.body, auth: message.auth, paddingCount: 9)
        let bytes = plaintext.encoded()
        #expect(bytes.suffix(9).allSatisfy { $0 == 0 })
        #expect(try PrivateMessageContent.decode(bytes, contentType: .commit) == plaintext)

        var dirty = bytes
        dirty[dirty.count - 3] = 1
        expectError(.invalidValue("padding is not all zeros")) {
            _ = try PrivateMessageContent.decode(dirty, contentType: .commit)
        }
        expectError(.invalidValue("negative padding count -1")) {
            _ = try PrivateMessageContent(body: message.content.body, auth: message.auth, paddingCount: -1)
        }
        let application = try PrivateMessageContent(
            body: .application([5]),
            auth: FramedContentAuthData(signature: [6], confirmationTag: nil)
        )
        #expect(try PrivateMessageContent.decode(application.encoded(), contentType: .application) == application)
    }

    @Test func senderDataAndAssociatedDataRoundTrip() throws {
        let leaf = try #require(LeafIndex(rawValue: 5))
        let senderData = try SenderData(leafIndex: leaf, generation: 9, reuseGuard: [1, 2, 3, 4])
        #expect(senderData.encoded() == [0, 0, 0, 5, 0, 0, 0, 9, 1, 2, 3, 4])
        #expect(try SenderData.decode(senderData.encoded()) == senderData)
        expectError(.invalidValue("reuse guard of 3 bytes, not 4")) {
            _ = try SenderData(leafIndex: leaf, generation: 9, reuseGuard: [1, 2, 3])
        }

        let contentAAD = PrivateContentAAD(groupID: [1], epoch: 2, contentType: .proposal, authenticatedData: [3])
        #expect(contentAAD.encoded() == [1, 1, 0, 0, 0, 0, 0, 0, 0, 2, 2, 1, 3])
        #expect(try PrivateContentAAD.decode(contentAAD.encoded()) == contentAAD)
        let senderAAD = SenderDataAAD(groupID: [1], epoch: 2, contentType: .application)
        #expect(try SenderDataAAD.decode(senderAAD.encoded()) == senderAAD)

        let privateMessage = PrivateMessage(
            groupID: [1],
            epoch: 2,
            contentType: .commit,
            authenticatedData: [],
            encryptedSenderData: [3],
            ciphertext: [4]
        )
        let envelope = MLSMessage(.privateMessage(privateMessage))
        #expect(try MLSMessage.decode(envelope.encoded()) == envelope)
    }

    @Test func x509CredentialsAndParentNodesRoundTrip() throws {
        let keyPackage = try #require(
            {
                if case .keyPackage(let keyPackage) = try MLSMessage.decode(vector.mlsKeyPackage).body {
                    return keyPackage
                }
                return nil
            }()
        )
        var leaf = keyPackage.leafNode
        leaf.credential = .x509(certificates: [Certificate([0x30, 0x00]), Certificate([])])
        #expect(leaf.credential.credentialType == .x509)
        let parent = ParentNode(
            encryptionKey: HPKEPublicKey([9, 9]),
            parentHash: [8],
            unmergedLeaves: [try #require(LeafIndex(rawValue: 3))]
        )
        let tree = RatchetTree(nodes: [.leaf(leaf), .parent(parent), nil])
        let decoded = try RatchetTree.decode(tree.encoded())
        #expect(decoded == tree)
        #expect(decoded.nodes.map { $0?.nodeType } == [.leaf, .parent, nil])
    }

    @Test func removeProposalKeepsTheWireValue() throws {
        let leaf = try #require(LeafIndex(rawValue: 4))
        #expect(RemoveProposal(removed: leaf).removedLeaf == leaf)
        let beyond = try RemoveProposal.decode([0x80, 0, 0, 0])
        #expect(beyond.removed == 0x8000_0000 && beyond.removedLeaf == nil)
    }

    @Test func proposalTypesMatchTheirCases() throws {
        let proposal = Proposal.groupContextExtensions(GroupContextExtensionsProposal(extensions: []))
        #expect(proposal.proposalType == .groupContextExtensions)
        #expect(try Proposal.decode(proposal.encoded()) == proposal)
        let resumption = PreSharedKeyID(key: .resumption(usage: .branch, groupID: [1], epoch: 3), nonce: [4])
        #expect(resumption.key.pskType == .resumption)
        #expect(try PreSharedKeyID.decode(resumption.encoded()) == resumption)
        let reference = ProposalOrRef.reference(ProposalRef([1, 2]))
        #expect(try ProposalOrRef.decode(reference.encoded()) == reference)
    }

    @Test(
        arguments: [
            ([4], "unknown content type 4"),
            ([0], "unknown content type 0"),
        ] as [([UInt8], String)]
    )
    func unknownContentTypesAreRefused(_ bytes: [UInt8], _ message: String) {
        expectError(.invalidValue(message)) { _ = try ContentType.decode(bytes) }
    }

    @Test func unknownSelectorsAreRefused() {
        expectError(.invalidValue("unknown sender type 5")) { _ = try Sender.decode([5]) }
        expectError(.invalidValue("unknown node type 0")) { _ = try Node.decode([0]) }
        expectError(.invalidValue("unknown PSK type 3")) { _ = try PreSharedKeyID.decode([3]) }
        expectError(.invalidValue("unknown resumption PSK usage 0")) { _ = try ResumptionPSKUsage.decode([0]) }
        expectError(.invalidValue("unknown proposal-or-reference type 0")) { _ = try ProposalOrRef.decode([0]) }
        expectError(.invalidValue("unknown leaf node source 4")) { _ = try LeafNodeSource.decode([4]) }
        expectError(.invalidValue("unknown credential type 3")) { _ = try Credential.decode([0, 3, 0]) }
        expectError(.invalidValue("unknown proposal type 8")) { _ = try Proposal.decode([0, 8, 0]) }
        expectError(.invalidValue("unknown proposal type 0")) { _ = try Proposal.decode([0, 0]) }
    }

    @Test func registryValuesAreCarriedAndDescribed() throws {
        let grease = try Capabilities.decode([
            2, 0x0A, 0x0A, 2, 0x1A, 0x1A, 2, 0x2A, 0x2A, 2, 0x3A, 0x3A, 2, 0x4A, 0x4A,
        ])
        #expect(grease.versions == [ProtocolVersion(rawValue: 0x0A0A)])
        #expect(grease.credentials == [CredentialType(rawValue: 0x4A4A)])
        #expect(grease.encoded().count == 15)
        #expect(ProtocolVersion.mls10.description == "mls10")
        #expect(ProtocolVersion(rawValue: 7).description == "version 7")
        #expect(
            [ContentType.application, .proposal, .commit].map(\.description) == ["application", "proposal", "commit"]
        )
        let formats = (1...6).map { WireFormat(rawValue: $0).description }
        #expect(
            formats == [
                "mls_public_message", "mls_private_message", "mls_welcome", "mls_group_info", "mls_key_package",
                "wire format 6",
            ]
        )
    }

    /// Rebuilding decoded values from their fields through the public initialisers gives equal values.
    @Test func memberwiseInitialisersRebuildDecodedValues() throws {
        guard case .keyPackage(let keyPackage) = try MLSMessage.decode(vector.mlsKeyPackage).body,
            case .groupInfo(let groupInfo) = try MLSMessage.decode(vector.mlsGroupInfo).body,
            case .welcome(let welcome) = try MLSMessage.decode(vector.mlsWelcome).body
        else {
            Issue.record("entry 0 holds the wrong wire formats")
            return
        }
        let leaf = keyPackage.leafNode
        let capabilities = leaf.capabilities
        let rebuiltLeaf = LeafNode(
            encryptionKey: leaf.encryptionKey,
            signatureKey: leaf.signatureKey,
            credential: leaf.credential,
            capabilities: Capabilities(
                versions: capabilities.versions,
                cipherSuites: capabilities.cipherSuites,
                extensions: capabilities.extensions,
                proposals: capabilities.proposals,
                credentials: capabilities.credentials
            ),
            source: .keyPackage(Lifetime(notBeforeSeconds: 1, notAfterSeconds: 2)),
            extensions: leaf.extensions.map {
                Extension(extensionType: $0.extensionType, extensionData: $0.extensionData)
            },
            signature: leaf.signature
        )
        #expect(rebuiltLeaf.capabilities == capabilities && rebuiltLeaf.extensions == leaf.extensions)
        let rebuiltPackage = KeyPackage(
            version: keyPackage.version,
            cipherSuite: keyPackage.cipherSuite,
            initKey: keyPackage.initKey,
            leafNode: leaf,
            extensions: keyPackage.extensions,
            signature: keyPackage.signature
        )
        #expect(rebuiltPackage == keyPackage)

        let context = groupInfo.groupContext
        let rebuiltInfo = GroupInfo(
            groupContext: GroupContext(
                cipherSuite: context.cipherSuite,
                groupID: context.groupID,
                epoch: context.epoch,
                treeHash: context.treeHash,
                confirmedTranscriptHash: context.confirmedTranscriptHash,
                extensions: context.extensions
            ),
            extensions: groupInfo.extensions,
            confirmationTag: groupInfo.confirmationTag,
            signer: groupInfo.signer,
            signature: groupInfo.signature
        )
        #expect(rebuiltInfo == groupInfo)

        let rebuiltWelcome = Welcome(
            cipherSuite: welcome.cipherSuite,
            secrets: welcome.secrets.map {
                EncryptedGroupSecrets(
                    newMember: KeyPackageRef($0.newMember.bytes),
                    encryptedGroupSecrets: $0.encryptedGroupSecrets
                )
            },
            encryptedGroupInfo: welcome.encryptedGroupInfo
        )
        #expect(rebuiltWelcome == welcome)

        let secrets = try GroupSecrets.decode(vector.groupSecrets)
        let rebuiltSecrets = GroupSecrets(
            joinerSecret: secrets.joinerSecret,
            pathSecret: secrets.pathSecret.map { PathSecret($0.secret) },
            psks: secrets.psks
        )
        #expect(rebuiltSecrets == secrets)

        let commit = try Commit.decode(vector.commit)
        let path = commit.path.map { path in
            UpdatePath(
                leafNode: path.leafNode,
                nodes: path.nodes.map {
                    UpdatePathNode(encryptionKey: $0.encryptionKey, encryptedPathSecret: $0.encryptedPathSecret)
                }
            )
        }
        #expect(Commit(proposals: commit.proposals, path: path) == commit)

        let reInit = try ReInitProposal.decode(vector.reInitProposal)
        let proposals: [Proposal] = [
            .add(AddProposal(keyPackage: keyPackage)),
            .update(UpdateProposal(leafNode: leaf)),
            .preSharedKey(PreSharedKeyProposal(psk: PreSharedKeyID(key: .external(id: [1]), nonce: [2]))),
            .reInit(
                ReInitProposal(
                    groupID: reInit.groupID,
                    version: reInit.version,
                    cipherSuite: reInit.cipherSuite,
                    extensions: reInit.extensions
                )
            ),
            .externalInit(ExternalInitProposal(kemOutput: [3])),
            .remove(RemoveProposal(removed: try #require(LeafIndex(rawValue: 1)))),
        ]
        for proposal in proposals {
            #expect(try Proposal.decode(proposal.encoded()) == proposal)
        }
        #expect(proposals.map(\.proposalType.rawValue) == [1, 2, 4, 5, 6, 3])
        #expect(
            [ExtensionType.applicationID, .ratchetTree, .requiredCapabilities, .externalPub, .externalSenders]
                .map(\.rawValue) == [1, 2, 3, 4, 5]
        )
    }
}
