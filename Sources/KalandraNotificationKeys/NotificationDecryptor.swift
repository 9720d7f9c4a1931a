import KalandraCore

/// What a phone's notification extension runs: it loads the key cache the main client exported and decrypts push
/// envelopes with it. It holds an immutable copy of the keys and has no method that writes anything; the main
/// client's ratchets, MLS state and storage are out of its reach (this module does not import them), and the cache
/// file is only read.
public struct NotificationDecryptor: Sendable {
    private let keys: [Slot: NotificationKey]
    private let rooms: Set<RoomID>

    /// A decryptor over the keys of a cache file's bytes.
    public init(cacheBytes: some Collection<UInt8>) throws(NotificationKeyCacheError) {
        self.init(keys: try NotificationKeyCache.decode(cacheBytes))
    }

    /// A decryptor over `keys` (a later key of the same room and epoch wins).
    public init(keys: [NotificationKey]) {
        var table: [Slot: NotificationKey] = [:]
        table.reserveCapacity(keys.count)
        for key in keys { table[Slot(roomID: key.roomID, epoch: key.epoch)] = key }
        self.keys = table
        self.rooms = Set(keys.map(\.roomID))
    }

    /// The number of keys loaded.
    public var keyCount: Int { keys.count }

    /// The notification in `envelope`, or the typed reason it was refused.
    public func decrypt(_ envelope: some Collection<UInt8>) throws(NotificationEnvelopeError) -> DecryptedNotification {
        let parsed = try NotificationEnvelope(decoding: envelope)
        guard let key = keys[Slot(roomID: parsed.roomID, epoch: parsed.epoch)] else {
            guard rooms.contains(parsed.roomID) else { throw .unknownRoom(parsed.roomID) }
            throw .unknownEpoch(parsed.roomID, parsed.epoch)
        }
        guard key.keyID == parsed.keyID else {
            throw .keyMismatch(parsed.roomID, parsed.epoch, keyID: parsed.keyID)
        }
        let body = try parsed.open(with: key)
        return DecryptedNotification(roomID: parsed.roomID, epoch: parsed.epoch, body: body)
    }
}

/// A decrypted push: where it is from and what it says.
public struct DecryptedNotification: Sendable, Equatable {
    /// The room.
    public var roomID: RoomID
    /// The epoch whose key opened it.
    public var epoch: Epoch
    /// The body.
    public var body: NotificationBody

    /// A decrypted notification from its parts.
    public init(roomID: RoomID, epoch: Epoch, body: NotificationBody) {
        self.roomID = roomID
        self.epoch = epoch
        self.body = body
    }
}
