import KalandraCrypto
import KalandraMLS

/// key-schedule.json (RFC 9420 §8): epochs chained through `init_secret`; checks the GroupContext serialisation, the
/// joiner, welcome and init secrets, every epoch-derived secret, the exporter and the external public key, both for
/// a member advancing and for a new member starting from the joiner secret.
enum KeyScheduleRunner: EntryRunner {
    struct Entry: Decodable {
        let cipherSuite: UInt16
        @HexBytes var groupId: [UInt8]
        @HexBytes var initialInitSecret: [UInt8]
        let epochs: [Epoch]
    }

    struct Epoch: Decodable {
        @HexBytes var treeHash: [UInt8]
        @HexBytes var commitSecret: [UInt8]
        @HexBytes var pskSecret: [UInt8]
        @HexBytes var confirmedTranscriptHash: [UInt8]
        @HexBytes var groupContext: [UInt8]
        @HexBytes var joinerSecret: [UInt8]
        @HexBytes var welcomeSecret: [UInt8]
        @HexBytes var initSecret: [UInt8]
        @HexBytes var senderDataSecret: [UInt8]
        @HexBytes var encryptionSecret: [UInt8]
        @HexBytes var exporterSecret: [UInt8]
        @HexBytes var epochAuthenticator: [UInt8]
        @HexBytes var externalSecret: [UInt8]
        @HexBytes var confirmationKey: [UInt8]
        @HexBytes var membershipKey: [UInt8]
        @HexBytes var resumptionPsk: [UInt8]
        @HexBytes var externalPub: [UInt8]
        let exporter: Exporter
    }

    struct Exporter: Decodable {
        /// The label, used as the text it is: although it looks like hex, the generator (like the interop
        /// implementations) passes the string itself as the label.
        let label: String
        @HexBytes var context: [UInt8]
        let length: Int
        @HexBytes var secret: [UInt8]
    }

    static func cipherSuite(of entry: Entry) -> UInt16? { entry.cipherSuite }

    static func summary(of entry: Entry) -> String? { "\(entry.epochs.count) epochs" }

    /// Checks every epoch of one entry; the items are epochs.
    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int {
        let provider = try check.provider()
        var initSecret = SecretBytes(copying: entry.initialInitSecret)
        for (number, epoch) in entry.epochs.enumerated() {
            let place = "epochs[\(number)]"
            let groupContext = groupContext(entry, epoch: UInt64(number), epoch)
            check.expectEqual(groupContext, epoch.groupContext, "\(place).group_context")
            let pskSecret = SecretBytes(copying: epoch.pskSecret)
            let schedule = try step("\(place): key schedule") {
                try KeySchedule(
                    initSecret: initSecret,
                    commitSecret: SecretBytes(copying: epoch.commitSecret),
                    pskSecret: pskSecret,
                    groupContext: groupContext,
                    provider: provider
                )
            }
            guard let joinerSecret = schedule.joinerSecret else {
                throw EntryFailure("\(place): the key schedule has no joiner_secret")
            }
            check.expectSecret(joinerSecret, epoch.joinerSecret, "\(place).joiner_secret")
            check.expectSecret(schedule.welcomeSecret, epoch.welcomeSecret, "\(place).welcome_secret")
            try checkSecrets(schedule.epochSecrets, epoch, place, &check)

            // A new member, starting from the joiner secret, reaches the same epoch.
            let welcomeSecret = try step("\(place): welcome secret from the joiner secret") {
                try KeySchedule.welcomeSecret(
                    joinerSecret: joinerSecret,
                    pskSecret: pskSecret,
                    provider: provider
                )
            }
            check.expectSecret(welcomeSecret, epoch.welcomeSecret, "\(place).welcome_secret (from joiner_secret)")
            let joined = try step("\(place): key schedule from the joiner secret") {
                try KeySchedule(
                    joinerSecret: joinerSecret,
                    pskSecret: pskSecret,
                    groupContext: groupContext,
                    provider: provider
                )
            }
            check.expect(
                joined.welcomeSecret == schedule.welcomeSecret,
                "\(place).welcome_secret differs between a member and a joiner"
            )
            try checkSecrets(joined.epochSecrets, epoch, "\(place) (joiner)", &check)

            initSecret = schedule.epochSecrets.initSecret
        }
        return entry.epochs.count
    }

    private static func checkSecrets(
        _ secrets: EpochSecrets,
        _ epoch: Epoch,
        _ place: String,
        _ check: inout EntryCheck
    ) throws(EntryFailure) {
        check.expectSecret(secrets.initSecret, epoch.initSecret, "\(place).init_secret")
        check.expectSecret(secrets.senderDataSecret, epoch.senderDataSecret, "\(place).sender_data_secret")
        check.expectSecret(secrets.encryptionSecret, epoch.encryptionSecret, "\(place).encryption_secret")
        check.expectSecret(secrets.exporterSecret, epoch.exporterSecret, "\(place).exporter_secret")
        check.expectSecret(secrets.epochAuthenticator, epoch.epochAuthenticator, "\(place).epoch_authenticator")
        check.expectSecret(secrets.externalSecret, epoch.externalSecret, "\(place).external_secret")
        check.expectSecret(secrets.confirmationKey, epoch.confirmationKey, "\(place).confirmation_key")
        check.expectSecret(secrets.membershipKey, epoch.membershipKey, "\(place).membership_key")
        check.expectSecret(secrets.resumptionPSK, epoch.resumptionPsk, "\(place).resumption_psk")
        let externalKeyPair = try step("\(place): external key pair") { try secrets.externalKeyPair() }
        check.expectEqual(externalKeyPair.publicKey, HPKEPublicKey(epoch.externalPub), "\(place).external_pub")
        let exported = try step("\(place): exporter") {
            try secrets.exporter(
                label: epoch.exporter.label,
                context: epoch.exporter.context,
                length: epoch.exporter.length
            )
        }
        check.expectSecret(exported, epoch.exporter.secret, "\(place).exporter.secret")
    }

    /// `GroupContext` (§8.1) with `version = mls10`, no extensions, serialised by hand so that the check does not
    /// rest on the GroupContext struct.
    private static func groupContext(_ entry: Entry, epoch number: UInt64, _ epoch: Epoch) -> [UInt8] {
        var writer = TLSWriter()
        writer.writeUInt16(1)
        writer.writeUInt16(entry.cipherSuite)
        writer.writeOpaque(entry.groupId)
        writer.writeUInt64(number)
        writer.writeOpaque(epoch.treeHash)
        writer.writeOpaque(epoch.confirmedTranscriptHash)
        writer.writeOpaque([UInt8]())
        return writer.bytes
    }
}
