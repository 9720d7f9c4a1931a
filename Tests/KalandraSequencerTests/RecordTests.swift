import KalandraCore
import KalandraStorage
import Testing

@testable import KalandraSequencer

/// The sequencer's stored formats round-trip and refuse damaged input with typed errors.
@Suite struct RecordTests {
    static let hash = (0..<32).map { UInt8($0) }

    @Test func storedEntriesRoundTrip() throws {
        let entry = StoredEntry(chainHash: Self.hash, author: [9, 8, 7], frame: [1, 2, 3, 4])
        let bytes = entry.encoded()
        #expect(bytes.count == 35 + 3 + 4)
        #expect(bytes[0] == StoredEntry.format)
        #expect(try StoredEntry(decoding: bytes) == entry)
        let anonymous = StoredEntry(chainHash: Self.hash, author: [], frame: [])
        #expect(try StoredEntry(decoding: anonymous.encoded()) == anonymous)
        let largest = StoredEntry(
            chainHash: Self.hash,
            author: [UInt8](repeating: 0x41, count: StoredEntry.maximumAuthorBytes),
            frame: [0]
        )
        #expect(try StoredEntry(decoding: largest.encoded()) == largest)
    }

    @Test func damagedStoredEntriesAreTypedErrors() {
        let bytes = StoredEntry(chainHash: Self.hash, author: [9, 8, 7], frame: [1, 2, 3, 4]).encoded()
        #expect(throws: StoredEntryError.truncated(length: 34)) { try StoredEntry(decoding: Array(bytes.prefix(34))) }
        #expect(throws: StoredEntryError.truncated(length: 0)) { try StoredEntry(decoding: []) }
        // The author field claims more bytes than follow.
        #expect(throws: StoredEntryError.truncated(length: 37)) { try StoredEntry(decoding: Array(bytes.prefix(37))) }
        var tooLong = bytes
        tooLong[33] = 0x10
        tooLong[34] = 0x01
        #expect(throws: StoredEntryError.truncated(length: bytes.count)) { try StoredEntry(decoding: tooLong) }
        var unknown = bytes
        unknown[0] = 2
        #expect(throws: StoredEntryError.unknownFormat(2)) { try StoredEntry(decoding: unknown) }
    }

    @Test func redactionRecordsRoundTrip() throws {
        let record = RedactionRecord(
            target: LogSequence(0x0102_0304_0506_0708),
            targetChainHash: Self.hash,
            recordedAt: LogSequence(99),
            requester: Array("alice".utf8),
            time: Timestamp(milliseconds: Timestamp.maximumMilliseconds)!,
            targetSender: SenderID(0x1122_3344_5566_7788),
            targetMessageID: 0xA0B0_C0D0,
            targetDigest: [UInt8](repeating: 0xD1, count: 32)
        )
        let bytes = record.encoded()
        #expect(bytes.count == 101 + 5)
        #expect(Array(bytes[1..<9]) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Array(bytes[57..<69]) == [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0xA0, 0xB0, 0xC0, 0xD0])
        #expect(try RedactionRecord(decoding: bytes) == record)
        let name = RedactionRecord.stateName(room: RoomID(high: 1, low: 2), target: LogSequence(3))
        #expect(name == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3])
    }

    @Test func damagedRedactionRecordsAreTypedErrors() {
        let record = RedactionRecord(
            target: LogSequence(5),
            targetChainHash: Self.hash,
            recordedAt: LogSequence(6),
            requester: [],
            time: Timestamp(milliseconds: 1_000)!,
            targetSender: SenderID(1),
            targetMessageID: 2,
            targetDigest: Self.hash
        )
        let bytes = record.encoded()
        #expect(bytes.count == 101)
        #expect(throws: StoredEntryError.truncated(length: 100)) {
            try RedactionRecord(decoding: Array(bytes.prefix(100)))
        }
        var unknown = bytes
        unknown[0] = 0
        #expect(throws: StoredEntryError.unknownFormat(0)) { try RedactionRecord(decoding: unknown) }
        // A time beyond the header's 48 bits.
        var badTime = bytes
        badTime[49] = 0x01
        #expect(throws: StoredEntryError.truncated(length: 101)) { try RedactionRecord(decoding: badTime) }
        // A requester longer than any credential the sequencer stores.
        let oversized = bytes + [UInt8](repeating: 0, count: StoredEntry.maximumAuthorBytes + 1)
        #expect(throws: StoredEntryError.truncated(length: oversized.count)) {
            try RedactionRecord(decoding: oversized)
        }
    }

    @Test func welcomeRecordsRoundTrip() throws {
        let hash = [UInt8](repeating: 0x3C, count: 32)
        let record = WelcomeRecord(
            room: RoomID(high: 0xAA, low: 0xBB),
            sequence: LogSequence(4),
            chainHash: hash,
            welcome: [5, 6]
        )
        let bytes = record.encoded()
        #expect(bytes.count == 58)
        #expect(try WelcomeRecord(decoding: bytes) == record)
        let empty = WelcomeRecord(room: RoomID(high: 0, low: 0), sequence: LogSequence(0), chainHash: hash, welcome: [])
        #expect(try WelcomeRecord(decoding: empty.encoded()) == empty)
        #expect(throws: StoredEntryError.truncated(length: 55)) { try WelcomeRecord(decoding: Array(bytes.prefix(55))) }
    }

    @Test func welcomeAndInvitationKeysNameTheRoom() {
        let room = RoomID(high: 1, low: 2)
        let key = RoomSequencer.welcomeKey(room: room, sequence: LogSequence(3))
        #expect(
            key
                == StateKey(
                    .sequencer,
                    Array("welcome/".utf8) + [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3]
                )
        )
        let invitation = RoomSequencer.invitationKey(room: room, keyPackage: [9, 9])
        #expect(
            invitation
                == StateKey(.sequencer, Array("invite/".utf8) + [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 9, 9])
        )
        #expect(invitation != RoomSequencer.invitationKey(room: RoomID(high: 1, low: 3), keyPackage: [9, 9]))
    }
}
