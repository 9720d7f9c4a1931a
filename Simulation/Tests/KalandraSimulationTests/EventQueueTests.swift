import KalandraSimulation
import Testing

@Suite struct EventQueueTests {
    @Test func tiesPopInInsertionOrder() throws {
        var queue = EventQueue<String>(limit: 10)
        try queue.schedule("late", at: .milliseconds(5))
        try queue.schedule("first", at: .milliseconds(1))
        try queue.schedule("second", at: .milliseconds(1))
        try queue.schedule("third", at: .milliseconds(1))
        #expect(queue.count == 4)
        #expect(queue.peekTime == .milliseconds(1))
        var popped: [String] = []
        while let next = queue.popNext() { popped.append(next.event) }
        #expect(popped == ["first", "second", "third", "late"])
        #expect(queue.isEmpty)
        #expect(queue.peekTime == nil)
        #expect(queue.now == .milliseconds(5))
    }

    // Random schedules and pops against a reference that sorts by (time, insertion number); times come from a small
    // range so that ties are common.
    @Test(arguments: 0..<20) func matchesSortedReference(seed: UInt64) throws {
        var rng = SimRandom(seed: seed)
        var queue = EventQueue<Int>(limit: 10_000)
        var reference: [(time: SimTime, id: Int)] = []
        var nextID = 0
        for _ in 0..<2_000 {
            if reference.isEmpty || rng.chance(0.6) {
                let time = queue.now + .microseconds(rng.uint64(in: 0...20))
                try queue.schedule(nextID, at: time)
                reference.append((time, nextID))
                nextID += 1
            } else {
                // IDs increase with insertion, so (time, id) is the reference order.
                let index = reference.indices.min { a, b in
                    reference[a].time != reference[b].time
                        ? reference[a].time < reference[b].time : reference[a].id < reference[b].id
                }!
                let expected = reference.remove(at: index)
                let next = queue.popNext()
                let popped = try #require(next)
                #expect(popped.time == expected.time && popped.event == expected.id)
            }
            #expect(queue.count == reference.count)
        }
        let rest = reference.sorted { a, b in a.time != b.time ? a.time < b.time : a.id < b.id }
        for expected in rest {
            let next = queue.popNext()
            let popped = try #require(next)
            #expect(popped.time == expected.time && popped.event == expected.id)
        }
        let afterLast = queue.popNext()
        #expect(afterLast == nil)
    }

    @Test func respectsLimit() throws {
        var queue = EventQueue<Int>(limit: 3)
        for index in 0..<3 { try queue.schedule(index, at: .milliseconds(1)) }
        #expect(throws: SimulationError.queueFull(limit: 3)) { try queue.schedule(3, at: .milliseconds(2)) }
        #expect(queue.count == 3)
        _ = queue.popNext()
        try queue.schedule(3, at: .milliseconds(2))
        #expect(queue.count == 3)
    }

    @Test func refusesThePast() throws {
        var queue = EventQueue<Int>(limit: 10)
        try queue.schedule(0, at: .milliseconds(10))
        _ = queue.popNext()
        #expect(throws: SimulationError.scheduledInPast(time: .milliseconds(9), now: .milliseconds(10))) {
            try queue.schedule(1, at: .milliseconds(9))
        }
        try queue.schedule(2, at: .milliseconds(10))
        let popped = queue.popNext()
        #expect(popped?.event == 2)
    }
}
