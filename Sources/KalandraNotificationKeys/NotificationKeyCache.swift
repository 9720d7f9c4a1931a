import KalandraCore
import KalandraCrypto

/// The notification keys the main client exports for its notification extension: the last few epochs of each room,
/// bounded so the file stays under 50 KB. The main client builds it (``insert(_:)``) and writes ``encoded()`` to a
/// file (atomically: write a temporary file, then rename); the extension only reads it (``NotificationDecryptor``).
///
/// File format, version 1 (integers big-endian):
///
///     offset  size  field
///          0     4  magic "KNKC" (4b 4e 4b 43)
///          4     1  version (1)
///          5     2  entry count n (at most 800)
///          7  56·n  entries, least recently inserted first: room ID (16) ‖ epoch (8) ‖ key (32)
///
/// Key IDs are not stored; they are computed from the keys when the cache is read.
public struct NotificationKeyCache: Sendable {
    /// The file magic.
    public static let magic: [UInt8] = [0x4b, 0x4e, 0x4b, 0x43]
    /// The format version written and read.
    public static let version: UInt8 = 1
    /// Bytes before the first entry.
    public static let headerByteCount = 7
    /// Bytes per entry.
    public static let entryByteCount = 16 + 8 + XChaCha20Poly1305.keyByteCount
    /// The most entries a cache may hold (whatever the policy): 7 + 800 × 56 = 44,807 bytes, under the 50 KB budget.
    public static let maximumEntryCount = 800
    /// The largest valid file.
    public static let maximumByteCount = headerByteCount + maximumEntryCount * entryByteCount

    /// How many keys the main client keeps.
    public struct Policy: Sendable, Equatable {
        /// Epochs kept per room: a push sealed just before a commit can arrive after it, so the previous epochs stay
        /// until they age out (which is also when a removed member's old keys leave the cache).
        public var epochsPerRoom: Int
        /// Rooms kept; past it, the room whose keys were least recently inserted is dropped.
        public var maximumRooms: Int

        /// 4 epochs in each of 200 rooms: 800 entries at most.
        public static let `default` = Policy(epochsPerRoom: 4, maximumRooms: 200)

        /// A policy; `epochsPerRoom × maximumRooms` must not exceed ``NotificationKeyCache/maximumEntryCount``.
        public init(epochsPerRoom: Int, maximumRooms: Int) {
            precondition(epochsPerRoom >= 1 && maximumRooms >= 1, "a cache keeps at least one key")
            precondition(
                epochsPerRoom * maximumRooms <= NotificationKeyCache.maximumEntryCount,
                "the policy would exceed the cache's entry limit"
            )
            self.epochsPerRoom = epochsPerRoom
            self.maximumRooms = maximumRooms
        }
    }

    /// The retention policy applied by ``insert(_:)``.
    public let policy: Policy
    /// The keys, least recently inserted first.
    public private(set) var keys: [NotificationKey] = []

    /// An empty cache.
    public init(policy: Policy = .default) {
        self.policy = policy
    }

    /// Adds `key` (replacing any key of the same room and epoch), then drops the room's oldest epoch past
    /// `epochsPerRoom` and the least recently updated room past `maximumRooms`.
    public mutating func insert(_ key: NotificationKey) {
        keys.removeAll { $0.roomID == key.roomID && $0.epoch == key.epoch }
        keys.append(key)
        let sameRoom = keys.filter { $0.roomID == key.roomID }
        if sameRoom.count > policy.epochsPerRoom, let oldest = sameRoom.map(\.epoch).min() {
            keys.removeAll { $0.roomID == key.roomID && $0.epoch == oldest }
        }
        // Rooms in order of their most recent insertion; the first is the least recently updated.
        var lastPosition: [RoomID: Int] = [:]
        for (position, entry) in keys.enumerated() { lastPosition[entry.roomID] = position }
        if lastPosition.count > policy.maximumRooms,
            let stalest = lastPosition.min(by: { $0.value < $1.value })?.key
        {
            keys.removeAll { $0.roomID == stalest }
        }
        assert(keys.count <= Self.maximumEntryCount)
    }

    /// Removes every key of `roomID` (the user left the room or turned its notifications off).
    public mutating func removeRoom(_ roomID: RoomID) {
        keys.removeAll { $0.roomID == roomID }
    }

    /// The file's bytes. Holds key material: the caller wipes the array (`Zeroize.bytes`) once written.
    public func encoded() -> [UInt8] {
        precondition(keys.count <= Self.maximumEntryCount)
        var bytes = Self.magic
        bytes.reserveCapacity(Self.headerByteCount + keys.count * Self.entryByteCount)
        bytes.append(Self.version)
        BigEndian.append(UInt16(keys.count), to: &bytes)
        for key in keys {
            BigEndian.append(key.roomID.high, to: &bytes)
            BigEndian.append(key.roomID.low, to: &bytes)
            BigEndian.append(key.epoch.rawValue, to: &bytes)
            key.secret.withUnsafeBytes { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// The keys in a cache file, in file order. Refuses a file with anything wrong, whole: a cache either loads or
    /// does not.
    public static func decode(_ bytes: some Collection<UInt8>) throws(NotificationKeyCacheError) -> [NotificationKey] {
        guard bytes.count <= maximumByteCount else { throw .oversize(found: bytes.count, limit: maximumByteCount) }
        let bytes = ArraySlice(bytes)
        let start = bytes.startIndex
        guard bytes.count >= magic.count else { throw .truncated(needed: headerByteCount - bytes.count) }
        guard bytes.prefix(magic.count).elementsEqual(magic) else { throw .badMagic }
        guard bytes.count >= headerByteCount else { throw .truncated(needed: headerByteCount - bytes.count) }
        guard bytes[start + 4] == version else { throw .unsupportedVersion(bytes[start + 4]) }
        let count = Int(BigEndian.read(bytes, at: start + 5, count: 2))
        guard count <= maximumEntryCount else { throw .tooManyEntries(found: count, limit: maximumEntryCount) }
        let expected = headerByteCount + count * entryByteCount
        guard bytes.count >= expected else { throw .truncated(needed: expected - bytes.count) }
        guard bytes.count == expected else { throw .trailingBytes(count: bytes.count - expected) }
        var keys: [NotificationKey] = []
        keys.reserveCapacity(count)
        var seen: Set<Slot> = []
        for index in 0..<count {
            let offset = start + headerByteCount + index * entryByteCount
            let room = RoomID(
                high: BigEndian.read(bytes, at: offset, count: 8),
                low: BigEndian.read(bytes, at: offset + 8, count: 8)
            )
            let epoch = Epoch(BigEndian.read(bytes, at: offset + 16, count: 8))
            guard seen.insert(Slot(roomID: room, epoch: epoch)).inserted else { throw .duplicateEntry(room, epoch) }
            let secret = SecretBytes(copying: bytes[(offset + 24)..<(offset + entryByteCount)])
            // The length is right by construction, so this cannot fail.
            guard let key = try? NotificationKey(exported: secret, roomID: room, epoch: epoch) else {
                preconditionFailure("a 32-byte key was refused")
            }
            keys.append(key)
        }
        return keys
    }

    /// A cache holding the keys of a file, with `policy` for further insertions.
    public init(decoding bytes: some Collection<UInt8>, policy: Policy = .default) throws(NotificationKeyCacheError) {
        self.policy = policy
        self.keys = try Self.decode(bytes)
    }
}

/// A room and epoch: what a cache entry is found by.
struct Slot: Hashable, Sendable {
    var roomID: RoomID
    var epoch: Epoch
}
