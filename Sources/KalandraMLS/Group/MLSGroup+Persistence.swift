import KalandraCrypto

/// Saving a member's group state and loading it back, in the versioned format of docs/PROTOCOL.md, "Group state
/// format": the magic "KGST", a `uint16` format version (1), then every field of the state TLS-encoded in a fixed
/// order. Lists are a `uint32` count followed by the elements (not a byte-length vector, so a large group's past
/// trees are not held to the 16 MiB limit of one TLS vector); dictionaries are written sorted by key, so equal
/// states serialise to equal bytes.
extension MLSGroup {
    /// The first four bytes of a saved group state: ASCII "KGST" (Kalandra group state).
    static let stateMagic: [UInt8] = Array("KGST".utf8)
    /// The format version `serialized()` writes and the only one `load` reads.
    static let stateFormatVersion: UInt16 = 1

    /// This member's state in the group state format (version 1), for `load(_:limits:)` after a restart.
    ///
    /// The bytes hold every private key and secret the member has: its signature key, its tree keys, the epoch's
    /// secrets and secret tree, those of the kept past epochs, and the resumption PSKs. Secrets are copied from
    /// their `SecretBytes` straight into the returned array, whose other bytes are written first; no other buffer
    /// ever holds them. The returned array is the caller's to protect: encrypt it at rest with an authenticated
    /// cipher (the format has no integrity protection of its own; `load` catches damage, not forgery) and wipe it
    /// with `Zeroize.bytes` once written.
    ///
    /// A pending commit is not saved: after a restart the client learns from the delivery service's order whether
    /// its commit won. If it lost, or was never sent, the client makes a new commit in the new state. If the service
    /// did accept it, the restored state cannot enter that epoch (the commit's path secrets are gone); the client
    /// rejoins by an external commit that resyncs its leaf. Save after `confirmPendingCommit` or
    /// `discardPendingCommit` to avoid that case. `resumptionUsageAllowed` is not saved either: it is set only
    /// inside `resume` and is nil in every state an application holds.
    public func serialized() -> [UInt8] {
        var writer = GroupStateWriter()
        writer.writeFixed(Self.stateMagic)
        writer.writeUInt16(Self.stateFormatVersion)
        writer.write(provider.cipherSuite)
        writer.write(configuration)
        writer.write(context)
        writer.write(tree.ratchetTree)
        writer.writeBool(isActive)
        writer.writeOptional(pendingReInit) { writer, reInit in writer.write(reInit) }
        writer.write(privateTree)
        writer.write(epochSecrets)
        writer.write(secretTree)
        writer.writeOpaque(interimTranscriptHash)
        writer.writeSecret(signaturePrivateKey.secret)
        writer.writeList(proposalCache.ordered) { writer, cached in
            writer.write(cached.reference)
            writer.write(cached.proposal)
            writer.write(cached.sender)
        }
        writer.writeList(pastEpochs) { writer, past in
            writer.write(past.context)
            writer.write(past.tree.ratchetTree)
            writer.write(past.secretTree)
            writer.writeSecret(past.senderDataSecret)
        }
        writer.writeList(resumptionSecrets) { writer, resumption in
            writer.writeUInt64(resumption.epoch)
            writer.writeSecret(resumption.secret)
        }
        let updateKeys = pendingUpdateKeys.sorted { $0.key.bytes.lexicographicallyPrecedes($1.key.bytes) }
        writer.writeList(updateKeys) { writer, entry in
            writer.write(entry.key)
            writer.writeSecret(entry.value.secret)
        }
        return writer.finish()
    }

    /// The state `serialized()` wrote. Throws `groupStateInvalid`, with a context naming the field, when the bytes
    /// are not a version 1 group state: a wrong magic, an unknown version, a truncated or malformed field, a count
    /// above its bound (more past epochs than `configuration.pastEpochCount`, more retained keys than the ratchet
    /// limits), trailing bytes, or fields that contradict each other (a tree whose hash is not the context's, private
    /// keys that do not match the tree, a secret tree that does not fit the tree). `limits` bound the TLS structures
    /// inside (trees, proposals) and every list's count.
    public static func load(_ bytes: [UInt8], limits: TLSLimits = .default) throws(MLSError) -> MLSGroup {
        var reader = TLSReader(bytes, limits: limits)
        let magic = try field("magic") { () throws(MLSError) in try reader.readFixed(count: stateMagic.count) }
        guard magic == stateMagic else {
            throw MLSError(.groupStateInvalid, context: "magic: not a Kalandra group state")
        }
        let version = try field("version") { () throws(MLSError) in try reader.readUInt16() }
        guard version == stateFormatVersion else {
            throw MLSError(
                .groupStateInvalid,
                context: "version: format version \(version) is unknown; this build reads version \(stateFormatVersion)"
            )
        }
        let provider = try field("cipherSuite") { () throws(MLSError) in try CipherSuite(from: &reader).provider() }
        let configuration = try field("configuration") { () throws(MLSError) in
            try GroupConfiguration(stateFrom: &reader)
        }
        let context = try field("context") { () throws(MLSError) in
            let context = try GroupContext(from: &reader)
            guard context.cipherSuite == provider.cipherSuite else {
                throw MLSError(.invalidValue("cipher suite \(context.cipherSuite) differs from the state's"))
            }
            return context
        }
        let tree = try field("tree") { () throws(MLSError) in
            try RatchetTreeState(stateFrom: &reader, provider: provider, treeHash: context.treeHash)
        }
        let isActive = try field("isActive") { () throws(MLSError) in try reader.readBool() }
        let pendingReInit = try field("pendingReInit") { () throws(MLSError) in
            try reader.readOptional(of: ReInitProposal.self)
        }
        if pendingReInit != nil && isActive {
            throw MLSError(.groupStateInvalid, context: "pendingReInit: present in an active group")
        }
        let privateTree = try field("privateTree") { () throws(MLSError) in
            let privateTree = try TreeKEMPrivateState(stateFrom: &reader, tree: tree)
            guard privateTree.isConsistent(with: tree) else {
                throw MLSError(.invalidValue("private keys do not match the tree's public keys"))
            }
            return privateTree
        }
        let epochSecrets = try field("epochSecrets") { () throws(MLSError) in
            let secrets = try EpochSecrets(stateFrom: &reader, provider: provider)
            guard secrets.encryptionSecret == nil else {
                throw MLSError(.invalidValue("encryption_secret present although the secret tree holds it"))
            }
            return secrets
        }
        let secretTree = try field("secretTree") { () throws(MLSError) in
            try SecretTree(stateFrom: &reader, treeSize: tree.size, provider: provider)
        }
        let interimTranscriptHash = try field("interimTranscriptHash") { () throws(MLSError) in
            let hash = try reader.readOpaque()
            guard hash.count == provider.hashLength else {
                throw MLSError(.invalidValue("\(hash.count) bytes; expected Hash.Nh = \(provider.hashLength)"))
            }
            return hash
        }
        let signaturePrivateKey = try field("signaturePrivateKey") { () throws(MLSError) in
            let key = SignaturePrivateKey(try reader.readOpaqueSecret())
            guard try provider.signaturePublicKey(for: key) == tree.leafNode(at: privateTree.leaf)?.signatureKey else {
                throw MLSError(.invalidValue("the key does not match the signature key of the member's leaf"))
            }
            return key
        }
        let proposalCache = try field("proposalCache") { () throws(MLSError) in
            var cache = ProposalCache()
            let proposals = try reader.readList(maximum: configuration.maximumPendingProposals) {
                reader throws(MLSError) in
                CachedProposal(
                    reference: try ProposalRef(from: &reader),
                    proposal: try Proposal(from: &reader),
                    sender: try Sender(from: &reader)
                )
            }
            for proposal in proposals {
                guard cache[proposal.reference] == nil else {
                    throw MLSError(.invalidValue("two proposals with one reference"))
                }
                cache.insert(proposal)
            }
            return cache
        }
        let pastEpochs = try field("pastEpochs") { () throws(MLSError) in
            let past = try reader.readList(maximum: configuration.pastEpochCount) { reader throws(MLSError) in
                try PastEpoch(stateFrom: &reader, provider: provider)
            }
            var previous: UInt64?
            for epoch in past.map(\.context) {
                guard epoch.groupID == context.groupID, epoch.cipherSuite == context.cipherSuite,
                    epoch.epoch < context.epoch, previous.map({ $0 < epoch.epoch }) ?? true
                else { throw MLSError(.invalidValue("past epoch \(epoch.epoch) out of order or of another group")) }
                previous = epoch.epoch
            }
            return past
        }
        let resumptionSecrets = try field("resumptionSecrets") { () throws(MLSError) in
            // The current epoch's and one per past epoch; a count of Int.max must not overflow.
            let bound = min(configuration.pastEpochCount, Int.max - 1) + 1
            let secrets = try reader.readList(maximum: bound) { reader throws(MLSError) in
                ResumptionSecret(epoch: try reader.readUInt64(), secret: try reader.readOpaqueSecret())
            }
            var previous: UInt64?
            for secret in secrets {
                try provider.checkSecretLength(secret.secret, "resumption_psk")
                guard secret.epoch <= context.epoch, previous.map({ $0 < secret.epoch }) ?? true else {
                    throw MLSError(.invalidValue("resumption PSK of epoch \(secret.epoch) out of order"))
                }
                previous = secret.epoch
            }
            return secrets
        }
        let pendingUpdateKeys = try field("pendingUpdateKeys") { () throws(MLSError) in
            var keys: [HPKEPublicKey: HPKEPrivateKey] = [:]
            var previous: HPKEPublicKey?
            let entries = try reader.readList(maximum: configuration.maximumPendingProposals) {
                reader throws(MLSError) in
                (try HPKEPublicKey(from: &reader), HPKEPrivateKey(try reader.readOpaqueSecret()))
            }
            for (publicKey, privateKey) in entries {
                guard previous.map({ $0.bytes.lexicographicallyPrecedes(publicKey.bytes) }) ?? true,
                    try provider.hpkePublicKey(for: privateKey) == publicKey
                else { throw MLSError(.invalidValue("keys out of order, or a private key that does not match")) }
                keys[publicKey] = privateKey
                previous = publicKey
            }
            return keys
        }
        do {
            try reader.finish()
        } catch {
            throw MLSError(.groupStateInvalid, context: "end: \(error)")
        }
        return MLSGroup(
            provider: provider,
            configuration: configuration,
            context: context,
            tree: tree,
            isActive: isActive,
            pendingReInit: pendingReInit,
            privateTree: privateTree,
            epochSecrets: epochSecrets,
            secretTree: secretTree,
            interimTranscriptHash: interimTranscriptHash,
            signaturePrivateKey: signaturePrivateKey,
            proposalCache: proposalCache,
            pastEpochs: pastEpochs,
            resumptionSecrets: resumptionSecrets,
            pendingCommit: nil,
            pendingUpdateKeys: pendingUpdateKeys
        )
    }
}

/// Runs `body`, reporting any error as `groupStateInvalid` with `name` (and the inner field's name) in its context.
private func field<T>(_ name: String, _ body: () throws(MLSError) -> T) throws(MLSError) -> T {
    do {
        return try body()
    } catch {
        guard error.kind == .groupStateInvalid else {
            throw MLSError(.groupStateInvalid, context: "\(name): \(error)")
        }
        let separator = error.context.hasPrefix("[") ? "" : "."
        throw MLSError(.groupStateInvalid, context: "\(name)\(separator)\(error.context)")
    }
}

// MARK: - Writing

/// A `TLSWriter` that leaves a zero-filled gap for each secret and copies the secrets into the finished array only,
/// so no buffer but the caller's ever holds them (the writer's storage grows by reallocation, which would leave
/// stale copies behind).
private struct GroupStateWriter {
    private var writer = TLSWriter()
    /// Where each secret goes in the output.
    private var secrets: [(offset: Int, secret: SecretBytes)] = []

    mutating func writeUInt8(_ value: UInt8) { writer.writeUInt8(value) }
    mutating func writeUInt16(_ value: UInt16) { writer.writeUInt16(value) }
    mutating func writeUInt32(_ value: UInt32) { writer.writeUInt32(value) }
    mutating func writeUInt64(_ value: UInt64) { writer.writeUInt64(value) }
    /// A `uint8`, 0 or 1.
    mutating func writeBool(_ value: Bool) { writer.writeUInt8(value ? 1 : 0) }
    /// A two's-complement `uint64`.
    mutating func writeInt(_ value: Int) { writer.writeUInt64(UInt64(bitPattern: Int64(value))) }
    mutating func writeFixed(_ bytes: [UInt8]) { writer.writeFixed(bytes) }
    mutating func writeOpaque(_ bytes: [UInt8]) { writer.writeOpaque(bytes) }
    mutating func write(_ value: some TLSCodable) { value.encode(to: &writer) }

    /// `opaque secret<V>`: the length now, the bytes in `finish()`.
    mutating func writeSecret(_ secret: SecretBytes) {
        writer.writeVarint(secret.count)
        secrets.append((writer.bytes.count, secret))
        writer.writeFixed(repeatElement(0, count: secret.count))
    }

    /// `optional<T>`.
    mutating func writeOptional<T>(_ value: T?, _ body: (inout Self, T) -> Void) {
        guard let value else {
            writeUInt8(0)
            return
        }
        writeUInt8(1)
        body(&self, value)
    }

    /// A `uint32` count, then the elements.
    mutating func writeList<T>(_ elements: [T], _ body: (inout Self, T) -> Void) {
        // A state's lists are bounded in memory far below 2^32 elements.
        writeUInt32(UInt32(elements.count))
        for element in elements { body(&self, element) }
    }

    /// The encoding with the secrets in place.
    func finish() -> [UInt8] {
        var bytes = writer.bytes
        // The first mutation copies the array away from the writer's storage, before any secret is written.
        bytes.withUnsafeMutableBytes { output in
            for (offset, secret) in secrets {
                secret.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(rebasing: output[offset..<offset + source.count]).copyMemory(
                        from: source
                    )
                }
            }
        }
        return bytes
    }

    // MARK: Parts of the state

    mutating func write(_ configuration: GroupConfiguration) {
        writeUInt8(configuration.handshakeWireFormat.rawValue)
        writeInt(configuration.pastEpochCount)
        write(configuration.ratchetLimits)
        writeBool(configuration.ratchetTreeInWelcome)
        writeBool(configuration.allowExternalCommits)
        writeInt(configuration.maximumPendingProposals)
        writeInt(configuration.paddingCount)
        writeUInt32(configuration.maximumLeafCount)
    }

    mutating func write(_ limits: RatchetLimits) {
        writeUInt32(limits.maximumRetainedGenerations)
        writeUInt32(limits.maximumForwardJump)
    }

    mutating func write(_ privateTree: TreeKEMPrivateState) {
        write(privateTree.leaf)
        writeList(privateTree.nodesWithPrivateKeys) { writer, node in
            writer.writeUInt32(node.rawValue)
            // Listed by `nodesWithPrivateKeys`, so present.
            writer.writeSecret(privateTree.privateKey(at: node)!.secret)
        }
    }

    mutating func write(_ secrets: EpochSecrets) {
        for secret in [
            secrets.senderDataSecret, secrets.exporterSecret, secrets.externalSecret, secrets.confirmationKey,
            secrets.membershipKey, secrets.resumptionPSK, secrets.epochAuthenticator, secrets.initSecret,
        ] {
            writeSecret(secret)
        }
        writeOptional(secrets.encryptionSecret) { writer, secret in writer.writeSecret(secret) }
    }

    mutating func write(_ tree: SecretTree) {
        writeUInt32(tree.treeSize.leafCount)
        write(tree.limits)
        writeList(tree.storedNodeSecrets) { writer, entry in
            writer.writeUInt32(entry.node.rawValue)
            writer.writeSecret(entry.secret)
        }
        writeList(tree.startedRatchets) { writer, entry in
            writer.write(entry.leaf)
            writer.write(entry.handshake)
            writer.write(entry.application)
        }
    }

    mutating func write(_ ratchet: HashRatchet) {
        writeUInt32(ratchet.generation)
        writeOptional(ratchet.currentSecret) { writer, secret in writer.writeSecret(secret) }
        writeList(ratchet.retainedKeys) { writer, key in
            writer.writeUInt32(key.generation)
            writer.writeSecret(key.key)
            writer.writeSecret(key.nonce)
        }
    }
}

// MARK: - Reading

extension TLSReader {
    /// A `uint8` that must be 0 or 1.
    fileprivate mutating func readBool() throws(MLSError) -> Bool {
        let start = position
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let value: throw MLSError(.invalidValue("boolean \(value)"), context: "at byte \(start)")
        }
    }

    /// A two's-complement `uint64` as an `Int`.
    fileprivate mutating func readInt() throws(MLSError) -> Int {
        Int(truncatingIfNeeded: Int64(bitPattern: try readUInt64()))
    }

    /// A `uint32` count, at most `maximum` and `limits.maximumElementCount`, then that many elements; each element
    /// takes at least one byte, so the count is also checked against the bytes left before anything is allocated.
    fileprivate mutating func readList<T>(
        maximum: Int,
        _ element: (inout TLSReader) throws(MLSError) -> T
    ) throws(MLSError) -> [T] {
        let start = position
        let count = Int(try readUInt32())
        let limit = min(maximum, limits.maximumElementCount)
        guard count <= limit else {
            throw MLSError(.lengthLimitExceeded(length: count, limit: limit), context: "list count at byte \(start)")
        }
        guard count <= remainingCount else {
            throw MLSError(.truncated(needed: count - remainingCount), context: "list of \(count) at byte \(start)")
        }
        var elements: [T] = []
        elements.reserveCapacity(count)
        for index in 0..<count {
            elements.append(try field("[\(index)]") { () throws(MLSError) in try element(&self) })
        }
        return elements
    }
}

extension GroupConfiguration {
    /// The configuration `GroupStateWriter.write(_:)` wrote; refuses negative counts.
    fileprivate init(stateFrom reader: inout TLSReader) throws(MLSError) {
        let format = try reader.readUInt8()
        guard let handshakeWireFormat = HandshakeWireFormat(rawValue: format) else {
            throw MLSError(.invalidValue("handshake wire format \(format)"))
        }
        self.init(handshakeWireFormat: handshakeWireFormat)
        pastEpochCount = try reader.readInt()
        ratchetLimits = try RatchetLimits(stateFrom: &reader)
        ratchetTreeInWelcome = try reader.readBool()
        allowExternalCommits = try reader.readBool()
        maximumPendingProposals = try reader.readInt()
        paddingCount = try reader.readInt()
        maximumLeafCount = try reader.readUInt32()
        guard (0...Self.maximumPastEpochCount).contains(pastEpochCount), maximumPendingProposals >= 0 else {
            throw MLSError(
                .invalidValue(
                    "pastEpochCount outside 0...\(Self.maximumPastEpochCount) or negative maximumPendingProposals"
                )
            )
        }
    }
}

extension RatchetLimits {
    fileprivate init(stateFrom reader: inout TLSReader) throws(MLSError) {
        self.init(maximumRetainedGenerations: try reader.readUInt32(), maximumForwardJump: try reader.readUInt32())
    }
}

extension RatchetTreeState {
    /// A `RatchetTree`, imported and checked against the group context's `treeHash`.
    fileprivate init(
        stateFrom reader: inout TLSReader,
        provider: any CipherSuiteProvider,
        treeHash: [UInt8]
    ) throws(MLSError) {
        // The nodes are already decoded from the state, so the bound on their count is the input's size.
        try self.init(RatchetTree(from: &reader), provider: provider, maximumLeafCount: TreeSize.maximumLeafCount)
        guard self.treeHash == treeHash else {
            throw MLSError(.invalidValue("the tree's hash is not the group context's tree_hash"))
        }
    }
}

extension TreeKEMPrivateState {
    fileprivate init(stateFrom reader: inout TLSReader, tree: RatchetTreeState) throws(MLSError) {
        let leaf = try LeafIndex(from: &reader)
        var keys: [NodeIndex: HPKEPrivateKey] = [:]
        var previous: NodeIndex?
        let entries = try reader.readList(maximum: Int(tree.size.nodeWidth)) { reader throws(MLSError) in
            (NodeIndex(try reader.readUInt32()), HPKEPrivateKey(try reader.readOpaqueSecret()))
        }
        for (node, key) in entries {
            guard previous.map({ $0 < node }) ?? true else {
                throw MLSError(.invalidValue("private key nodes out of order"), context: "\(node)")
            }
            keys[node] = key
            previous = node
        }
        try self.init(restoring: leaf, privateKeys: keys)
    }
}

extension EpochSecrets {
    fileprivate init(stateFrom reader: inout TLSReader, provider: any CipherSuiteProvider) throws(MLSError) {
        var secrets: [SecretBytes] = []
        for _ in 0..<8 { secrets.append(try reader.readOpaqueSecret()) }
        let encryptionSecret = try reader.readOptional { reader throws(MLSError) in try reader.readOpaqueSecret() }
        try self.init(
            restoringSenderDataSecret: secrets[0],
            encryptionSecret: encryptionSecret,
            exporterSecret: secrets[1],
            externalSecret: secrets[2],
            confirmationKey: secrets[3],
            membershipKey: secrets[4],
            resumptionPSK: secrets[5],
            epochAuthenticator: secrets[6],
            initSecret: secrets[7],
            provider: provider
        )
    }
}

extension SecretTree {
    /// A secret tree, which must be of `treeSize` (the size of the ratchet tree of its epoch).
    fileprivate init(
        stateFrom reader: inout TLSReader,
        treeSize: TreeSize,
        provider: any CipherSuiteProvider
    ) throws(MLSError) {
        let leafCount = try reader.readUInt32()
        guard leafCount == treeSize.leafCount else {
            throw MLSError(.invalidValue("\(leafCount) leaves; the ratchet tree has \(treeSize.leafCount)"))
        }
        let limits = try RatchetLimits(stateFrom: &reader)
        let nodeSecrets = try reader.readList(maximum: Int(treeSize.nodeWidth)) { reader throws(MLSError) in
            (node: NodeIndex(try reader.readUInt32()), secret: try reader.readOpaqueSecret())
        }
        let ratchets = try reader.readList(maximum: Int(treeSize.leafCount)) { reader throws(MLSError) in
            (
                leaf: try LeafIndex(from: &reader),
                handshake: try HashRatchet(stateFrom: &reader, provider: provider, limits: limits),
                application: try HashRatchet(stateFrom: &reader, provider: provider, limits: limits)
            )
        }
        try self.init(
            restoring: treeSize,
            limits: limits,
            provider: provider,
            nodeSecrets: nodeSecrets,
            startedRatchets: ratchets
        )
    }
}

extension HashRatchet {
    fileprivate init(
        stateFrom reader: inout TLSReader,
        provider: any CipherSuiteProvider,
        limits: RatchetLimits
    ) throws(MLSError) {
        let generation = try reader.readUInt32()
        let secret = try reader.readOptional { reader throws(MLSError) in try reader.readOpaqueSecret() }
        let retained = try reader.readList(maximum: Int(limits.maximumRetainedGenerations)) { reader throws(MLSError) in
            RatchetKeyNonce(
                generation: try reader.readUInt32(),
                key: try reader.readOpaqueSecret(),
                nonce: try reader.readOpaqueSecret()
            )
        }
        try self.init(
            restoringGeneration: generation,
            secret: secret,
            retainedKeys: retained,
            provider: provider,
            limits: limits
        )
    }
}

extension PastEpoch {
    fileprivate init(stateFrom reader: inout TLSReader, provider: any CipherSuiteProvider) throws(MLSError) {
        let context = try field("context") { () throws(MLSError) in try GroupContext(from: &reader) }
        let tree = try field("tree") { () throws(MLSError) in
            try RatchetTreeState(stateFrom: &reader, provider: provider, treeHash: context.treeHash)
        }
        let secretTree = try field("secretTree") { () throws(MLSError) in
            try SecretTree(stateFrom: &reader, treeSize: tree.size, provider: provider)
        }
        let senderDataSecret = try field("senderDataSecret") { () throws(MLSError) in
            let secret = try reader.readOpaqueSecret()
            try provider.checkSecretLength(secret, "sender_data_secret")
            return secret
        }
        self.init(context: context, tree: tree, secretTree: secretTree, senderDataSecret: senderDataSecret)
    }
}
