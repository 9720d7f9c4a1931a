import KalandraCBOR
import KalandraCore
import KalandraNotificationKeys
import Testing

@Suite struct PushKeysExtensionTests {
    @Test func roundTripsThroughAMessagePayload() throws {
        var fixtures = Fixtures()
        let key = try fixtures.key(room: fixtures.room(), epoch: 12)
        let payload: CBOR = .map([
            CBOR.MapEntry(key: .textString("body"), value: .byteString([1, 2, 3])),
            PushKeysExtension(key: key).mapEntry,
        ])
        let bytes = CBOREncoder.encode(payload)
        let decoded = try #require(try PushKeysExtension(payload: CBORDecoder().decode(bytes)))
        #expect(decoded == PushKeysExtension(epoch: Epoch(12), keyID: key.keyID))
        // The documented shape: {"push_keys": {"epoch": 12, "key_id": …}}.
        #expect(
            PushKeysExtension(epoch: Epoch(12), keyID: 7).mapEntry
                == CBOR.MapEntry(
                    key: .textString("push_keys"),
                    value: .map([
                        CBOR.MapEntry(key: .textString("epoch"), value: .unsignedInteger(12)),
                        CBOR.MapEntry(key: .textString("key_id"), value: .unsignedInteger(7)),
                    ])
                )
        )
    }

    @Test func absentIsNilAndMalformedIsAnError() throws {
        #expect(try PushKeysExtension(payload: .map([])) == nil)
        let malformed: [CBOR] = [
            .unsignedInteger(1),
            .map([CBOR.MapEntry(key: .textString("epoch"), value: .unsignedInteger(1))]),
            .map([
                CBOR.MapEntry(key: .textString("epoch"), value: .unsignedInteger(1)),
                CBOR.MapEntry(key: .textString("key_id"), value: .unsignedInteger(1 << 32)),
            ]),
            .map([
                CBOR.MapEntry(key: .textString("epoch"), value: .textString("1")),
                CBOR.MapEntry(key: .textString("key_id"), value: .unsignedInteger(1)),
            ]),
        ]
        for value in malformed {
            #expect(throws: PushKeysError()) {
                try PushKeysExtension(payload: .map([CBOR.MapEntry(key: .textString("push_keys"), value: value)]))
            }
        }
    }
}
