import KalandraCore
import KalandraCrypto
import KalandraNotificationKeys

/// `generate` (hidden): a cache filled to the default policy (or `--rooms` × `--epochs`) and `--count` envelopes
/// sealed under its keys, all from `--seed`, so a run is reproducible.
enum Generate {
    static func run(_ options: Options) throws(UsageError) -> Int32 {
        let count = try options.integer("count", default: 1000, range: 1...1_000_000)
        let rooms = try options.integer("rooms", default: 200, range: 1...NotificationKeyCache.maximumEntryCount)
        let epochs = try options.integer("epochs", default: 4, range: 1...NotificationKeyCache.maximumEntryCount)
        let seed = try options.integer("seed", default: 1, range: 0...Int.max)
        guard rooms * epochs <= NotificationKeyCache.maximumEntryCount else {
            throw UsageError(message: "--rooms × --epochs must be at most \(NotificationKeyCache.maximumEntryCount)")
        }
        var generator = DeterministicGenerator(seed: UInt64(seed))
        var cache = NotificationKeyCache(policy: .init(epochsPerRoom: epochs, maximumRooms: rooms))
        for _ in 0..<rooms {
            let room = RoomID.random(using: &generator)
            for epoch in 1...epochs {
                // Stands in for MLSGroup.exporter(label:context:length:) of the main client.
                let exported = SecretBytes(randomCount: NotificationKey.exportedByteCount, using: &generator)
                guard let key = try? NotificationKey(exported: exported, roomID: room, epoch: Epoch(UInt64(epoch)))
                else { preconditionFailure("a 32-byte key was refused") }
                cache.insert(key)
            }
        }
        var cacheBytes = cache.encoded()
        defer { Zeroize.bytes(&cacheBytes) }
        try writeFileAtomically(cacheBytes, to: try options.string("cache"))

        var envelopes: [UInt8] = []
        for index in 0..<count {
            let key = cache.keys[Int(generator.next() % UInt64(cache.keys.count))]
            let preview = (0..<120).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let body = NotificationBody(senderHint: "member \(index % 50)", preview: preview, messageID: UInt32(index))
            let nonce = (0..<24).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let envelope: [UInt8]
            do {
                envelope = try NotificationEnvelope.seal(body: body, key: key, nonce: nonce).encoded()
            } catch {
                throw UsageError(message: "cannot seal: \(error)")
            }
            envelopes.append(UInt8(envelope.count >> 8))
            envelopes.append(UInt8(truncatingIfNeeded: envelope.count))
            envelopes += envelope
        }
        try writeFileAtomically(envelopes, to: try options.string("envelopes"))
        print("wrote \(cache.keys.count) keys (\(cacheBytes.count) bytes) and \(count) envelopes")
        return 0
    }
}
