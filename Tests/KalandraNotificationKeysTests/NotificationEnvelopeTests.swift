import KalandraCBOR
import KalandraCore
import KalandraCrypto
import KalandraNotificationKeys
import Testing

@Suite struct NotificationEnvelopeTests {
    @Test func roundTrip() throws {
        var fixtures = Fixtures()
        let room = fixtures.room()
        let key = try fixtures.key(room: room, epoch: 3)
        let bodies = [
            Fixtures.body,
            NotificationBody(senderHint: "", preview: [], messageID: 0),
            NotificationBody(
                senderHint: String(repeating: "é", count: 64),
                preview: [UInt8](repeating: 0xab, count: NotificationBody.maximumPreviewBytes),
                messageID: .max
            ),
        ]
        let decryptor = NotificationDecryptor(keys: [key])
        for body in bodies {
            let bytes = try fixtures.envelope(body, key: key)
            let parsed = try NotificationEnvelope(decoding: bytes)
            #expect(parsed.roomID == room && parsed.epoch == Epoch(3) && parsed.keyID == key.keyID)
            #expect(parsed.encoded() == bytes)
            #expect(bytes.count <= NotificationEnvelope.maximumByteCount)
            let notification = try decryptor.decrypt(bytes)
            #expect(notification == DecryptedNotification(roomID: room, epoch: Epoch(3), body: body))
        }
    }

    @Test func layoutMatchesTheDocumentedOffsets() throws {
        var fixtures = Fixtures()
        let room = RoomID(high: 0x0102_0304_0506_0708, low: 0x090a_0b0c_0d0e_0f10)
        let key = try fixtures.key(room: room, epoch: 0x1122_3344_5566_7788)
        let nonce = [UInt8](repeating: 0x5a, count: 24)
        let bytes = try NotificationEnvelope.seal(body: Fixtures.body, key: key, nonce: nonce).encoded()
        #expect(Array(bytes[0..<3]) == [0x4b, 0x4e, 0x01])
        #expect(Array(bytes[3..<19]) == Array(1...16))
        #expect(Array(bytes[19..<27]) == [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88])
        let keyID = bytes[27..<31].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
        #expect(keyID == key.keyID)
        #expect(Array(bytes[31..<55]) == nonce)
        // The body is the documented CBOR map, sealed with the first 31 bytes as associated data.
        let plaintext = try XChaCha20Poly1305.open(
            Array(bytes[55...]),
            key: key.secret,
            nonce: nonce,
            associatedData: Array(bytes[0..<31])
        )
        #expect(
            try CBORDecoder().decode(plaintext)
                == .map([
                    CBOR.MapEntry(key: .textString("sender"), value: .textString("Ada")),
                    CBOR.MapEntry(key: .textString("preview"), value: .byteString(Array("See you at 7?".utf8))),
                    CBOR.MapEntry(key: .textString("message_id"), value: .unsignedInteger(42)),
                ])
        )
    }

    @Test func sealRefusesOversizeBodies() throws {
        var fixtures = Fixtures()
        let key = try fixtures.key(room: fixtures.room(), epoch: 1)
        let longHint = NotificationBody(senderHint: String(repeating: "a", count: 129), preview: [], messageID: 1)
        #expect(throws: NotificationSealError.bodyTooLarge) { try fixtures.envelope(longHint, key: key) }
        let longPreview = NotificationBody(senderHint: "", preview: [UInt8](repeating: 0, count: 2049), messageID: 1)
        #expect(throws: NotificationSealError.bodyTooLarge) { try fixtures.envelope(longPreview, key: key) }
        #expect(throws: NotificationSealError.crypto(.invalidNonceLength(expected: 24, found: 12))) {
            try NotificationEnvelope.seal(body: Fixtures.body, key: key, nonce: [UInt8](repeating: 0, count: 12))
        }
    }

    @Test func everyMalformedEnvelopeHasItsError() throws {
        var fixtures = Fixtures()
        let room = fixtures.room()
        let key = try fixtures.key(room: room, epoch: 4)
        let decryptor = NotificationDecryptor(keys: [key])
        let valid = try fixtures.envelope(key: key)
        func refusal(_ bytes: [UInt8]) -> NotificationEnvelopeError? {
            do {
                _ = try decryptor.decrypt(bytes)
                return nil
            } catch {
                return error
            }
        }
        #expect(refusal([]) == .truncated(needed: 71))
        #expect(refusal([0x4b]) == .truncated(needed: 70))
        #expect(refusal([0x4b, 0x4e]) == .truncated(needed: 69))
        #expect(refusal(Array(valid[0..<70])) == .truncated(needed: 1))
        #expect(refusal([0x4b, 0x4f, 0x01]) == .badMagic)
        #expect(refusal([0x00] + valid.dropFirst()) == .badMagic)
        #expect(refusal([0x4b, 0x4e, 0x02]) == .unsupportedVersion(2))
        var oversize = valid
        oversize += [UInt8](repeating: 0, count: NotificationEnvelope.maximumByteCount + 1 - valid.count)
        #expect(refusal(oversize) == .oversize(found: 3073, limit: 3072))

        let otherRoom = RoomID(high: room.high ^ 1, low: room.low)
        #expect(refusal(withHeader(valid, room: otherRoom)) == .unknownRoom(otherRoom))
        #expect(refusal(withHeader(valid, epoch: 5)) == .unknownEpoch(room, Epoch(5)))
        #expect(refusal(withHeader(valid, keyID: key.keyID ^ 1)) == .keyMismatch(room, Epoch(4), keyID: key.keyID ^ 1))
        var tampered = valid
        tampered[tampered.count - 1] ^= 0x80
        #expect(refusal(tampered) == .authenticationFailure)
        #expect(refusal(Array(valid[0..<71])) == .authenticationFailure)  // a header and a tag's worth of bytes

        // Authentic, but the body is not the expected map: each way gets .malformedBody.
        let badBodies: [CBOR] = [
            .array([]),
            .map([CBOR.MapEntry(key: .textString("sender"), value: .textString("x"))]),
            .map([
                CBOR.MapEntry(key: .textString("sender"), value: .unsignedInteger(1)),
                CBOR.MapEntry(key: .textString("preview"), value: .byteString([])),
                CBOR.MapEntry(key: .textString("message_id"), value: .unsignedInteger(1)),
            ]),
            .map([
                CBOR.MapEntry(key: .textString("sender"), value: .textString("x")),
                CBOR.MapEntry(key: .textString("preview"), value: .byteString([])),
                CBOR.MapEntry(key: .textString("message_id"), value: .unsignedInteger(1 << 32)),
            ]),
        ]
        for body in badBodies {
            let bytes = try sealRaw(CBOREncoder.encode(body), like: valid, key: key)
            guard case .malformedBody = refusal(bytes) else {
                Issue.record("body \(body) was not refused as malformed")
                continue
            }
        }
        let notCBOR = try sealRaw([0xff, 0x00], like: valid, key: key)
        guard case .malformedBody = refusal(notCBOR) else {
            Issue.record("bytes that are not CBOR were not refused as malformed")
            return
        }
    }

    @Test func theWrongEpochsKeyDoesNotDecrypt() throws {
        var fixtures = Fixtures()
        let room = fixtures.room()
        let epoch4 = try fixtures.key(room: room, epoch: 4)
        let epoch5 = try fixtures.key(room: room, epoch: 5)
        let sealedUnder4 = try fixtures.envelope(key: epoch4)
        // A cache that moved on to epoch 5 only: the envelope names epoch 4, which it does not hold.
        let decryptor = NotificationDecryptor(keys: [epoch5])
        #expect(throws: NotificationEnvelopeError.unknownEpoch(room, Epoch(4))) { try decryptor.decrypt(sealedUnder4) }
        // Relabelled as epoch 5: the key ID gives it away.
        let relabelled = withHeader(sealedUnder4, epoch: 5)
        #expect(throws: NotificationEnvelopeError.keyMismatch(room, Epoch(5), keyID: epoch4.keyID)) {
            try decryptor.decrypt(relabelled)
        }
        // Relabelled with epoch 5's key ID too: the AEAD refuses it.
        #expect(throws: NotificationEnvelopeError.authenticationFailure) {
            try decryptor.decrypt(withHeader(relabelled, keyID: epoch5.keyID))
        }
        // A cache that has epoch 5's bytes filed under epoch 4 (a confused export): key ID mismatch again.
        let misfiled = try NotificationKey(exported: epoch5.secret, roomID: room, epoch: Epoch(4))
        #expect(throws: NotificationEnvelopeError.keyMismatch(room, Epoch(4), keyID: epoch4.keyID)) {
            try NotificationDecryptor(keys: [misfiled]).decrypt(sealedUnder4)
        }
    }

    @Test func everyFlippedBitIsRefused() throws {
        var fixtures = Fixtures()
        let room = fixtures.room()
        let key = try fixtures.key(room: room, epoch: 9)
        // Neighbouring rooms and epochs are in the cache too, so a flip that lands on a known slot must still fail.
        var keys = [key]
        for epoch in [8, 10, 11, 13, 25, 41, 73] { keys.append(try fixtures.key(room: room, epoch: UInt64(epoch))) }
        let decryptor = NotificationDecryptor(keys: keys)
        let valid = try fixtures.envelope(key: key)
        #expect(try decryptor.decrypt(valid).body == Fixtures.body)
        for bit in 0..<(valid.count * 8) {
            var flipped = valid
            flipped[bit / 8] ^= 1 << (bit % 8)
            #expect(throws: NotificationEnvelopeError.self, "bit \(bit) flipped was accepted") {
                try decryptor.decrypt(flipped)
            }
        }
    }

    @Test func keyIDIsAFingerprintOfTheKeyOnly() throws {
        var fixtures = Fixtures()
        let room = fixtures.room()
        let key = try fixtures.key(room: room, epoch: 1)
        let same = try NotificationKey(exported: key.secret, roomID: fixtures.room(), epoch: Epoch(2))
        #expect(same.keyID == key.keyID)
        #expect(try fixtures.key(room: room, epoch: 1).keyID != key.keyID)
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, found: 16)) {
            try NotificationKey(
                exported: SecretBytes(copying: [UInt8](repeating: 1, count: 16)),
                roomID: room,
                epoch: Epoch(1)
            )
        }
    }

    @Test func exporterContextIsRoomThenEpochBigEndian() {
        let context = NotificationKey.exporterContext(
            roomID: RoomID(high: 0x0102_0304_0506_0708, low: 0x090a_0b0c_0d0e_0f10),
            epoch: Epoch(0x1122_3344_5566_7788)
        )
        #expect(context == Array(1...16) + [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88])
        #expect(NotificationKey.exporterLabel == "kalandra notification key")
    }

    /// `envelope` with header fields replaced (the tag is left as it was).
    func withHeader(_ envelope: [UInt8], room: RoomID? = nil, epoch: UInt64? = nil, keyID: UInt32? = nil) -> [UInt8] {
        var bytes = envelope
        func put(_ value: UInt64, at offset: Int, count: Int) {
            for index in 0..<count {
                bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * (count - 1 - index)))
            }
        }
        if let room {
            put(room.high, at: 3, count: 8)
            put(room.low, at: 11, count: 8)
        }
        if let epoch { put(epoch, at: 19, count: 8) }
        if let keyID { put(UInt64(keyID), at: 27, count: 4) }
        return bytes
    }

    /// An authentic envelope with the header of `envelope` around an arbitrary plaintext.
    func sealRaw(_ plaintext: [UInt8], like envelope: [UInt8], key: NotificationKey) throws -> [UInt8] {
        let nonce = Array(envelope[31..<55])
        let ciphertext = try XChaCha20Poly1305.seal(
            plaintext,
            key: key.secret,
            nonce: nonce,
            associatedData: Array(envelope[0..<31])
        )
        return Array(envelope[0..<55]) + ciphertext
    }
}
