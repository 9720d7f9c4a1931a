import KalandraCrypto
import KalandraMLS
import Testing

/// key-schedule.json (RFC 9420 §8): five epochs per suite, each from the previous epoch's `init_secret`; checks the
/// GroupContext serialisation, joiner/welcome/init secrets, every epoch-derived secret, the exporter and the external
/// public key, for suites 1 and 3; other suites' entries are skipped.
@Suite struct KeyScheduleVectorTests {
    struct Vector: Decodable {
        let cipherSuite: UInt16
        @HexEncoded var groupId: [UInt8]
        @HexEncoded var initialInitSecret: [UInt8]
        let epochs: [Epoch]
    }

    struct Epoch: Decodable {
        @HexEncoded var treeHash: [UInt8]
        @HexEncoded var commitSecret: [UInt8]
        @HexEncoded var pskSecret: [UInt8]
        @HexEncoded var confirmedTranscriptHash: [UInt8]
        @HexEncoded var groupContext: [UInt8]
        @HexEncoded var joinerSecret: [UInt8]
        @HexEncoded var welcomeSecret: [UInt8]
        @HexEncoded var initSecret: [UInt8]
        @HexEncoded var senderDataSecret: [UInt8]
        @HexEncoded var encryptionSecret: [UInt8]
        @HexEncoded var exporterSecret: [UInt8]
        @HexEncoded var epochAuthenticator: [UInt8]
        @HexEncoded var externalSecret: [UInt8]
        @HexEncoded var confirmationKey: [UInt8]
        @HexEncoded var membershipKey: [UInt8]
        @HexEncoded var resumptionPsk: [UInt8]
        @HexEncoded var externalPub: [UInt8]
        let exporter: Exporter
    }

    struct Exporter: Decodable {
        /// The label, used as the text it is: although it looks like hex, the generator (like the interop
        /// implementations) passes the string itself as the label.
        let label: String
        @HexEncoded var context: [UInt8]
        let length: Int
        @HexEncoded var secret: [UInt8]
    }

    @Test func supportedSuitesPassAndOthersAreSkipped() throws {
        let vectors = try VectorLoader.load([Vector].self, from: "key-schedule.json")
        var ran: [UInt16] = []
        var skipped: [UInt16] = []
        var epochsChecked = 0
        for vector in vectors {
            let suite = CipherSuite(rawValue: vector.cipherSuite)
            guard CipherSuite.supported.contains(suite) else {
                expectError(.unsupportedCipherSuite(vector.cipherSuite)) { _ = try suite.provider() }
                skipped.append(vector.cipherSuite)
                continue
            }
            epochsChecked += try check(vector, with: try suite.provider())
            ran.append(vector.cipherSuite)
        }
        #expect(ran == [1, 3])
        #expect(skipped == [2, 4, 5, 6, 7])
        #expect(epochsChecked == 10)
    }

    /// Checks every epoch of one entry; returns how many were checked.
    private func check(_ vector: Vector, with provider: any CipherSuiteProvider) throws -> Int {
        var initSecret = SecretBytes(copying: vector.initialInitSecret)
        for (number, epoch) in vector.epochs.enumerated() {
            let groupContext = Self.groupContext(
                suite: vector.cipherSuite,
                groupID: vector.groupId,
                epoch: UInt64(number),
                treeHash: epoch.treeHash,
                confirmedTranscriptHash: epoch.confirmedTranscriptHash
            )
            #expect(groupContext == epoch.groupContext, "epoch \(number)")
            let pskSecret = SecretBytes(copying: epoch.pskSecret)
            let schedule = try KeySchedule(
                initSecret: initSecret,
                commitSecret: SecretBytes(copying: epoch.commitSecret),
                pskSecret: pskSecret,
                groupContext: groupContext,
                provider: provider
            )
            #expect(schedule.joinerSecret == SecretBytes(copying: epoch.joinerSecret), "epoch \(number)")
            #expect(schedule.welcomeSecret == SecretBytes(copying: epoch.welcomeSecret))
            try checkSecrets(schedule.epochSecrets, epoch)

            // A new member, starting from the joiner secret, reaches the same epoch.
            let welcomeSecret = try KeySchedule.welcomeSecret(
                joinerSecret: schedule.joinerSecret,
                pskSecret: pskSecret,
                provider: provider
            )
            #expect(welcomeSecret == SecretBytes(copying: epoch.welcomeSecret))
            let joined = try KeySchedule(
                joinerSecret: schedule.joinerSecret,
                pskSecret: pskSecret,
                groupContext: groupContext,
                provider: provider
            )
            #expect(joined.welcomeSecret == schedule.welcomeSecret)
            try checkSecrets(joined.epochSecrets, epoch)

            initSecret = schedule.epochSecrets.initSecret
        }
        return vector.epochs.count
    }

    private func checkSecrets(_ secrets: EpochSecrets, _ epoch: Epoch) throws {
        #expect(secrets.initSecret == SecretBytes(copying: epoch.initSecret))
        #expect(secrets.senderDataSecret == SecretBytes(copying: epoch.senderDataSecret))
        #expect(secrets.encryptionSecret == SecretBytes(copying: epoch.encryptionSecret))
        #expect(secrets.exporterSecret == SecretBytes(copying: epoch.exporterSecret))
        #expect(secrets.epochAuthenticator == SecretBytes(copying: epoch.epochAuthenticator))
        #expect(secrets.externalSecret == SecretBytes(copying: epoch.externalSecret))
        #expect(secrets.confirmationKey == SecretBytes(copying: epoch.confirmationKey))
        #expect(secrets.membershipKey == SecretBytes(copying: epoch.membershipKey))
        #expect(secrets.resumptionPSK == SecretBytes(copying: epoch.resumptionPsk))
        #expect(try secrets.externalKeyPair().publicKey == HPKEPublicKey(epoch.externalPub))
        let exported = try secrets.exporter(
            label: epoch.exporter.label,
            context: epoch.exporter.context,
            length: epoch.exporter.length
        )
        #expect(exported == SecretBytes(copying: epoch.exporter.secret))
    }

    /// `GroupContext` (§8.1) with `version = mls10`, no extensions.
    static func groupContext(
        suite: UInt16,
        groupID: [UInt8],
        epoch: UInt64,
        treeHash: [UInt8],
        confirmedTranscriptHash: [UInt8]
    ) -> [UInt8] {
        var writer = TLSWriter()
        writer.writeUInt16(1)
        writer.writeUInt16(suite)
        writer.writeOpaque(groupID)
        writer.writeUInt64(epoch)
        writer.writeOpaque(treeHash)
        writer.writeOpaque(confirmedTranscriptHash)
        writer.writeOpaque([UInt8]())
        return writer.bytes
    }
}
