import KalandraSimulation
import Testing

@Suite struct TraceTests {
    let server = NodeID(1, name: "server")
    let alice = NodeID(2, name: "alice")

    @Test func emptyTraceHashIsSHA256OfNothing() {
        #expect(Trace(capacity: 4).hashHex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    // Expected from Python's hashlib over the documented encoding: per record
    // struct.pack(">QII", micros, rawValue, len(name)) + name + struct.pack(">I", len(text)) + text, in UTF-8.
    @Test func hashKnownAnswer() {
        var trace = Trace(capacity: 4)
        trace.append(at: .microseconds(12_345), node: server, "admitted commit epoch 3 -> seq 17")
        trace.append(at: .milliseconds(20), node: alice, "sent")
        #expect(trace.hashHex == "a86c5128fc2d815cd3bee8c21e25b430e02b3987ea795d29daff0818bc74625a")
        #expect(trace.count == 2)
    }

    func trace(_ records: [TraceRecord]) -> Trace {
        var trace = Trace(capacity: 2)
        for record in records { trace.append(record) }
        return trace
    }

    @Test func hashComparesWholeSequences() {
        let base = [
            TraceRecord(time: .milliseconds(1), node: server, text: "ab"),
            TraceRecord(time: .milliseconds(2), node: alice, text: "c"),
            TraceRecord(time: .milliseconds(3), node: server, text: "d"),
        ]
        let hash = trace(base).hashHex
        #expect(trace(base).hashHex == hash)
        var changedText = base
        changedText[1] = TraceRecord(time: .milliseconds(2), node: alice, text: "C")
        var changedTime = base
        changedTime[1] = TraceRecord(time: .microseconds(2_001), node: alice, text: "c")
        var changedNode = base
        changedNode[1] = TraceRecord(time: .milliseconds(2), node: server, text: "c")
        // Moving a character across a record boundary must not give the same bytes.
        var shifted = base
        shifted[0] = TraceRecord(time: .milliseconds(1), node: server, text: "a")
        shifted[1] = TraceRecord(time: .milliseconds(2), node: alice, text: "bc")
        for variant in [changedText, changedTime, changedNode, shifted, Array(base.dropLast())] {
            #expect(trace(variant).hashHex != hash)
        }
        // Reading the hash does not close the trace.
        var open = trace(Array(base.prefix(2)))
        _ = open.hashHex
        open.append(base[2])
        #expect(open.hashHex == hash)
    }

    @Test func ringKeepsOnlyTheLastRecords() {
        var trace = Trace(capacity: 3)
        for index in 0..<10 { trace.append(at: .milliseconds(UInt64(index)), node: server, "event \(index)") }
        #expect(trace.count == 10)
        #expect(trace.recentRecords.map(\.text) == ["event 7", "event 8", "event 9"])
        #expect(
            trace.render(last: 2).split(separator: "\n").map { $0.hasSuffix("event 8") || $0.hasSuffix("event 9") } == [
                true, true,
            ]
        )
        #expect(trace.render(last: 100).split(separator: "\n").count == 3)
        var none = Trace(capacity: 0)
        none.append(at: .zero, node: server, "kept in the hash only")
        #expect(none.recentRecords.isEmpty && none.count == 1)
        #expect(none.render(last: 5) == "")
    }

    @Test func renderAlignsColumns() {
        var trace = Trace(capacity: 8)
        trace.append(at: .microseconds(12_345), node: server, "admitted commit epoch 3 -> seq 17")
        trace.append(at: .microseconds(1_234_567), node: alice, "received seq 17")
        #expect(
            trace.render(last: 2) == """
                   12.345ms  server  admitted commit epoch 3 -> seq 17
                 1234.567ms  alice   received seq 17
                """
        )
    }
}
