import KalandraCore
import KalandraCrypto
import KalandraNotificationKeys
import Testing

@Suite struct NotificationKeyCacheTests {
    @Test func roundTripKeepsKeysAndOrder() throws {
        var fixtures = Fixtures()
        var cache = NotificationKeyCache()
        for _ in 0..<3 {
            let room = fixtures.room()
            for epoch in 1...3 { cache.insert(try fixtures.key(room: room, epoch: UInt64(epoch))) }
        }
        let bytes = cache.encoded()
        #expect(bytes.count == NotificationKeyCache.headerByteCount + 9 * NotificationKeyCache.entryByteCount)
        #expect(Array(bytes[0..<7]) == [0x4b, 0x4e, 0x4b, 0x43, 0x01, 0x00, 0x09])
        let decoded = try NotificationKeyCache(decoding: bytes)
        #expect(decoded.keys.count == 9)
        for (left, right) in zip(decoded.keys, cache.keys) {
            #expect(left.roomID == right.roomID && left.epoch == right.epoch && left.keyID == right.keyID)
            #expect(left.secret == right.secret)
        }
        #expect(decoded.encoded() == bytes)
        #expect(try NotificationKeyCache(decoding: NotificationKeyCache().encoded()).keys.isEmpty)
    }

    @Test func keepsTheLastEpochsOfEachRoom() throws {
        var fixtures = Fixtures()
        let room = fixtures.room()
        var cache = NotificationKeyCache(policy: .init(epochsPerRoom: 4, maximumRooms: 10))
        for epoch in 1...10 { cache.insert(try fixtures.key(room: room, epoch: UInt64(epoch))) }
        #expect(cache.keys.map(\.epoch.rawValue) == [7, 8, 9, 10])
        // A late export of an old epoch goes in and the oldest then leaves: it is the one inserted.
        cache.insert(try fixtures.key(room: room, epoch: 2))
        #expect(cache.keys.map(\.epoch.rawValue) == [7, 8, 9, 10])
        // Re-exporting an epoch replaces its key.
        let replacement = try fixtures.key(room: room, epoch: 9)
        cache.insert(replacement)
        #expect(cache.keys.map(\.epoch.rawValue) == [7, 8, 10, 9])
        #expect(cache.keys.last?.keyID == replacement.keyID)
        cache.removeRoom(room)
        #expect(cache.keys.isEmpty)
    }

    @Test func dropsTheLeastRecentlyUpdatedRoom() throws {
        var fixtures = Fixtures()
        var cache = NotificationKeyCache(policy: .init(epochsPerRoom: 2, maximumRooms: 3))
        let rooms = (0..<4).map { _ in fixtures.room() }
        for room in rooms[0..<3] { cache.insert(try fixtures.key(room: room, epoch: 1)) }
        cache.insert(try fixtures.key(room: rooms[0], epoch: 2))  // room 0 is now the most recently updated
        cache.insert(try fixtures.key(room: rooms[3], epoch: 1))  // a fourth room: room 1 goes
        #expect(Set(cache.keys.map(\.roomID)) == [rooms[0], rooms[2], rooms[3]])
    }

    @Test func aFullCacheStaysWithinTheBudget() throws {
        var fixtures = Fixtures()
        var cache = NotificationKeyCache()
        for _ in 0..<300 {
            let room = fixtures.room()
            for epoch in 1...6 { cache.insert(try fixtures.key(room: room, epoch: UInt64(epoch))) }
        }
        #expect(cache.keys.count == NotificationKeyCache.maximumEntryCount)
        let bytes = cache.encoded()
        #expect(bytes.count == 44_807)
        #expect(bytes.count <= 50_000)
        #expect(NotificationKeyCache.maximumByteCount == 44_807)
        #expect(try NotificationDecryptor(cacheBytes: bytes).keyCount == 800)
    }

    @Test func everyMalformedCacheHasItsError() throws {
        var fixtures = Fixtures()
        var cache = NotificationKeyCache()
        let room = fixtures.room()
        cache.insert(try fixtures.key(room: room, epoch: 1))
        cache.insert(try fixtures.key(room: room, epoch: 2))
        let valid = cache.encoded()
        func refusal(_ bytes: [UInt8]) -> NotificationKeyCacheError? {
            do {
                _ = try NotificationDecryptor(cacheBytes: bytes)
                return nil
            } catch {
                return error
            }
        }
        #expect(refusal([]) == .truncated(needed: 7))
        #expect(refusal(Array(valid[0..<5])) == .truncated(needed: 2))
        #expect(refusal(Array(valid.dropLast())) == .truncated(needed: 1))
        #expect(refusal([0x4b, 0x4e, 0x4b, 0x44, 1, 0, 0]) == .badMagic)
        #expect(refusal([0x4b, 0x4e, 0x4b, 0x43, 2, 0, 0]) == .unsupportedVersion(2))
        #expect(refusal([0x4b, 0x4e, 0x4b, 0x43, 1, 0x03, 0x21]) == .tooManyEntries(found: 801, limit: 800))
        #expect(refusal(valid + [0]) == .trailingBytes(count: 1))
        var duplicate = valid
        duplicate[7 + 56 + 23] = 1  // the second entry's epoch becomes the first's
        #expect(refusal(duplicate) == .duplicateEntry(room, Epoch(1)))
        let oversize = [UInt8](repeating: 0, count: NotificationKeyCache.maximumByteCount + 1)
        #expect(refusal(oversize) == .oversize(found: 44_808, limit: 44_807))
    }
}
