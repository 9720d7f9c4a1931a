import KalandraCore
import KalandraCrypto
import KalandraNotificationKeys

/// Keys, bodies and envelopes from a seed, standing in for the main client (the exporter is not called here).
struct Fixtures {
    var generator: DeterministicGenerator

    init(seed: UInt64 = 7) {
        generator = DeterministicGenerator(seed: seed)
    }

    mutating func room() -> RoomID { RoomID.random(using: &generator) }

    mutating func key(room: RoomID, epoch: UInt64) throws -> NotificationKey {
        try NotificationKey(
            exported: SecretBytes(randomCount: NotificationKey.exportedByteCount, using: &generator),
            roomID: room,
            epoch: Epoch(epoch)
        )
    }

    mutating func nonce() -> [UInt8] {
        (0..<XChaCha20Poly1305.nonceByteCount).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    static let body = NotificationBody(senderHint: "Ada", preview: Array("See you at 7?".utf8), messageID: 42)

    mutating func envelope(
        _ body: NotificationBody = Fixtures.body,
        key: NotificationKey
    ) throws -> [UInt8] {
        try NotificationEnvelope.seal(body: body, key: key, nonce: nonce()).encoded()
    }
}
