import KalandraCBOR
import Testing

@Suite struct CBORValueTests {
    @Test func literals() {
        #expect(CBOR(integerLiteral: 5) == .unsignedInteger(5))
        let negative: CBOR = -5
        #expect(negative == .negativeInteger(4))
        let float: CBOR = 1.5
        #expect(float == .float(1.5))
        let text: CBOR = "hi"
        #expect(text == .textString("hi"))
        let flag: CBOR = true
        #expect(flag == .boolean(true))
        let null: CBOR = nil
        #expect(null == .null)
        let array: CBOR = [1, "a", nil]
        #expect(array == .array([.unsignedInteger(1), .textString("a"), .null]))
        let map: CBOR = ["b": 1, "a": 2]
        // The dictionary literal keeps the written order.
        #expect(map.mapValue?.map(\.key) == ["b", "a"])
    }

    @Test func integerConstructorAndInt64Value() {
        #expect(CBOR.integer(0) == .unsignedInteger(0))
        #expect(CBOR.integer(-1) == .negativeInteger(0))
        #expect(CBOR.integer(.max) == .unsignedInteger(UInt64(Int64.max)))
        #expect(CBOR.integer(.min) == .negativeInteger(UInt64(Int64.max)))
        for value in [0, 1, -1, 23, -24, 1_000_000, -1_000_000, .max, .min] as [Int64] {
            #expect(CBOR.integer(value).int64Value == value)
        }
        #expect(CBOR.unsignedInteger(UInt64(Int64.max) + 1).int64Value == nil)
        #expect(CBOR.negativeInteger(UInt64(Int64.max) + 1).int64Value == nil)
        #expect(CBOR.textString("1").int64Value == nil)
    }

    @Test func accessorsMatchOnlyTheirCase() {
        let values: [CBOR] = [
            .unsignedInteger(1), .negativeInteger(1), .byteString([1]), "t", [1], [1: 2], .tagged(1, 2), .simple(1),
            true, nil, .undefined, 1.5,
        ]
        #expect(values.compactMap(\.unsignedIntegerValue) == [1])
        #expect(values.compactMap(\.int64Value) == [1, -2])
        #expect(values.compactMap(\.byteStringValue) == [[1]])
        #expect(values.compactMap(\.textStringValue) == ["t"])
        #expect(values.compactMap(\.arrayValue) == [[1]])
        #expect(values.compactMap(\.mapValue) == [[CBOR.MapEntry(key: 1, value: 2)]])
        #expect(values.compactMap(\.boolValue) == [true])
        #expect(values.compactMap(\.floatValue) == [1.5])
        #expect(values.compactMap(\.taggedValue).map(\.tag) == [1])
        #expect(values.compactMap(\.taggedValue).map(\.content) == [2])
        #expect(values.filter(\.isNull) == [nil])
    }

    @Test func mapSubscript() {
        let map: CBOR = ["a": 1, 2: "two", .byteString([0]): [3]]
        #expect(map["a"] == 1)
        #expect(map[2] == "two")
        #expect(map[.byteString([0])] == [3])
        #expect(map["missing"] == nil)
        #expect(CBOR.array(["a"])["a"] == nil)
        var entry = CBOR.MapEntry(key: "k", value: 1)
        entry.value = 2
        #expect(CBOR.map([entry])["k"] == 2)
    }

    /// Equality is data-model equality: whatever encodes identically is equal, and nothing else.
    @Test func equalityFollowsTheDataModel() {
        #expect(CBOR.float(.nan) == .float(-.nan))
        #expect(CBOR.float(.nan) == .float(Double(bitPattern: 0x7ff0_0000_0000_0001)))
        #expect(CBOR.float(0.0) != .float(-0.0))
        #expect(CBOR.float(1) != .unsignedInteger(1))
        #expect(CBOR.float(.nan) != .float(1))
        // Canonically equivalent strings are equal in Swift but are different CBOR text strings.
        #expect("\u{e9}" == "e\u{301}")
        #expect(CBOR.textString("\u{e9}") != .textString("e\u{301}"))
        #expect(CBOR.textString("ab") != .textString("abc"))
        // Maps compare regardless of entry order, but entry by entry as a multiset.
        let forward: CBOR = [1: "a", 2: "b"]
        let backward: CBOR = [2: "b", 1: "a"]
        #expect(forward == backward)
        #expect(forward != [1: "a", 2: "c"] as CBOR)
        #expect(forward != [1: "a"] as CBOR)
        let twice = CBOR.map([.init(key: 1, value: "a"), .init(key: 1, value: "a")])
        let different = CBOR.map([.init(key: 1, value: "a"), .init(key: 1, value: "b")])
        #expect(twice != different)
        #expect(different != twice)
        #expect(CBOR.tagged(1, 2) == .tagged(1, 2))
        #expect(CBOR.tagged(1, 2) != .tagged(2, 2))
        #expect(CBOR.tagged(1, 2) != .tagged(1, 3))
        #expect(CBOR.simple(1) != .simple(2))
        #expect(CBOR.undefined != .null)
        #expect(CBOR.array([1, 2]) != .array([2, 1]))
        #expect(CBOR.byteString([1]) != .textString("\u{1}"))
        #expect(CBOR.negativeInteger(0) != .unsignedInteger(0))
        // Simple values 20...23 are false, true, null and undefined.
        #expect(CBOR.simple(20) == false)
        #expect(CBOR.boolean(true) == .simple(21))
        #expect(CBOR.simple(22) == nil)
        #expect(CBOR.simple(23) == .undefined)
        #expect(CBOR.simple(20) != true)
        #expect(CBOR.simple(24) != .simple(25))
    }

    /// Large maps stored in different orders are compared through their encodings, not pairwise.
    @Test func largeUnorderedMapsCompareEqual() {
        let entries = (0..<5_000).map { CBOR.MapEntry(key: .integer(Int64($0)), value: [.integer(Int64(-$0))]) }
        let forward = CBOR.map(entries)
        let backward = CBOR.map(entries.reversed())
        #expect(forward == backward)
        var changed = Array(entries.reversed())
        changed[2_500].value = [0, 0]
        #expect(forward != .map(changed))
    }
}
