import KalandraSimulation
import Testing

@Suite struct SimulatedNetworkTests {
    let server = NodeID(0, name: "server")
    let alice = NodeID(1, name: "alice")
    let bob = NodeID(2, name: "bob")
    let carol = NodeID(3, name: "carol")

    func profile(loss: Double = 0, duplication: Double = 0, maxDuplicates: Int = 0) throws -> LinkProfile {
        try LinkProfile(
            latencyMin: .milliseconds(1),
            latencyMax: .milliseconds(9),
            lossProbability: loss,
            duplicationProbability: duplication,
            maxDuplicates: maxDuplicates
        )
    }

    @Test func noLossDeliversEveryMessageOnce() throws {
        var network = SimulatedNetwork(defaultProfile: try profile())
        var rng = SimRandom(seed: 1)
        for _ in 0..<1_000 {
            #expect(network.transmit(from: alice, to: server, now: .zero, rng: &rng).count == 1)
        }
        #expect(network.counters.sent == 1_000)
        #expect(network.counters.delivered == 1_000)
        #expect(network.counters.dropped == 0)
    }

    @Test func totalLossDeliversNothing() throws {
        var network = SimulatedNetwork(defaultProfile: try profile(loss: 1))
        var rng = SimRandom(seed: 2)
        for _ in 0..<1_000 {
            #expect(network.transmit(from: alice, to: server, now: .zero, rng: &rng).isEmpty)
        }
        #expect(network.counters.dropped == 1_000)
        #expect(network.counters.delivered == 0)
    }

    @Test(arguments: [3, 4, 5] as [UInt64]) func halfLossWithinStatisticalBounds(seed: UInt64) throws {
        var network = SimulatedNetwork(defaultProfile: try profile(loss: 0.5))
        var rng = SimRandom(seed: seed)
        var delivered = 0
        for _ in 0..<10_000 { delivered += network.transmit(from: alice, to: server, now: .zero, rng: &rng).count }
        // 5,000 expected with a standard deviation of 50; 5 deviations either way.
        #expect((4_750...5_250).contains(delivered), "\(delivered) delivered")
        #expect(network.counters.dropped == 10_000 - delivered)
    }

    @Test func duplicationAddsBoundedCopies() throws {
        var always = SimulatedNetwork(defaultProfile: try profile(duplication: 1, maxDuplicates: 2))
        var rng = SimRandom(seed: 6)
        for _ in 0..<100 { #expect(always.transmit(from: alice, to: bob, now: .zero, rng: &rng).count == 3) }
        #expect(always.counters.duplicated == 200)
        #expect(always.counters.delivered == 300)

        var sometimes = SimulatedNetwork(defaultProfile: try profile(duplication: 0.5, maxDuplicates: 1))
        var copies: [Int: Int] = [:]
        for _ in 0..<10_000 {
            copies[sometimes.transmit(from: alice, to: bob, now: .zero, rng: &rng).count, default: 0] += 1
        }
        #expect(Set(copies.keys) == [1, 2])
        #expect((4_750...5_250).contains(copies[2] ?? 0), "\(copies)")
    }

    @Test func latencyWithinRangeAndReorders() throws {
        var network = SimulatedNetwork(defaultProfile: try profile(duplication: 0.3, maxDuplicates: 3))
        var rng = SimRandom(seed: 7)
        let now = SimTime.milliseconds(100)
        var arrivals: [SimTime] = []
        for _ in 0..<5_000 { arrivals += network.transmit(from: alice, to: bob, now: now, rng: &rng) }
        #expect(arrivals.allSatisfy { $0 >= now + .milliseconds(1) && $0 <= now + .milliseconds(9) })
        // Both ends of the range are reachable, and values in between are spread out.
        #expect(arrivals.min()! < now + .microseconds(1_010))
        #expect(arrivals.max()! > now + .microseconds(8_990))
        #expect(Set(arrivals).count > 3_000)

        var fixed = SimulatedNetwork(defaultProfile: .perfect(latency: .milliseconds(4)))
        #expect(fixed.transmit(from: alice, to: bob, now: now, rng: &rng) == [now + .milliseconds(4)])
    }

    @Test func overridesApplyToOneDirection() throws {
        var network = SimulatedNetwork(defaultProfile: .perfect(latency: .milliseconds(1)))
        network.setProfile(try profile(loss: 1), from: alice, to: bob)
        var rng = SimRandom(seed: 8)
        #expect(network.transmit(from: alice, to: bob, now: .zero, rng: &rng).isEmpty)
        #expect(network.transmit(from: bob, to: alice, now: .zero, rng: &rng) == [.milliseconds(1)])
        network.setProfile(nil, from: alice, to: bob)
        #expect(network.transmit(from: alice, to: bob, now: .zero, rng: &rng) == [.milliseconds(1)])
    }

    @Test func symmetricPartitionBlocksBothWays() {
        var network = SimulatedNetwork(defaultProfile: .perfect(latency: .milliseconds(1)))
        var rng = SimRandom(seed: 9)
        network.partition([alice, bob], [server])
        #expect(network.transmit(from: alice, to: server, now: .zero, rng: &rng).isEmpty)
        #expect(network.transmit(from: server, to: alice, now: .zero, rng: &rng).isEmpty)
        #expect(network.transmit(from: server, to: bob, now: .zero, rng: &rng).isEmpty)
        // Within a side, and to nodes outside the partition, links still work.
        #expect(network.transmit(from: alice, to: bob, now: .zero, rng: &rng).count == 1)
        #expect(network.transmit(from: carol, to: server, now: .zero, rng: &rng).count == 1)
        #expect(network.counters.blocked == 3)
        #expect(
            network.blockedLinks.map(\.description) == [
                "server->alice", "server->bob", "alice->server", "bob->server",
            ]
        )
        network.heal()
        #expect(network.transmit(from: alice, to: server, now: .zero, rng: &rng).count == 1)
        #expect(network.transmit(from: server, to: alice, now: .zero, rng: &rng).count == 1)
        #expect(network.blockedLinks.isEmpty)
    }

    @Test func oneWayBlockAndPartialHeal() {
        var network = SimulatedNetwork(defaultProfile: .perfect(latency: .milliseconds(1)))
        var rng = SimRandom(seed: 10)
        network.blockOneWay(from: alice, to: server)
        #expect(network.transmit(from: alice, to: server, now: .zero, rng: &rng).isEmpty)
        #expect(network.transmit(from: server, to: alice, now: .zero, rng: &rng).count == 1)
        network.partition([bob], [server])
        network.heal(from: alice, to: server)
        #expect(network.transmit(from: alice, to: server, now: .zero, rng: &rng).count == 1)
        #expect(network.isBlocked(from: bob, to: server))
        #expect(network.isBlocked(from: server, to: bob))
        network.heal(from: bob, to: server)
        #expect(!network.isBlocked(from: bob, to: server))
        #expect(network.isBlocked(from: server, to: bob))
    }

    @Test func sameSeedSameDeliveries() throws {
        func run(seed: UInt64) throws -> [[SimTime]] {
            var network = SimulatedNetwork(defaultProfile: try profile(loss: 0.2, duplication: 0.2, maxDuplicates: 2))
            var rng = SimRandom(seed: seed)
            let nodes = [server, alice, bob, carol]
            return (0..<2_000).map { step in
                network.transmit(
                    from: nodes[step % 4],
                    to: nodes[(step / 4) % 4],
                    now: .microseconds(UInt64(step) * 100),
                    rng: &rng
                )
            }
        }
        let first = try run(seed: 99)
        #expect(first == (try run(seed: 99)))
        #expect(first != (try run(seed: 100)))
    }

    @Test func invalidProfilesAreRefused() {
        #expect(throws: SimulationError.self) {
            try LinkProfile(latencyMin: .milliseconds(2), latencyMax: .milliseconds(1))
        }
        #expect(throws: SimulationError.self) {
            try LinkProfile(latencyMin: .zero, latencyMax: .zero, lossProbability: 1.5)
        }
        #expect(throws: SimulationError.self) {
            try LinkProfile(latencyMin: .zero, latencyMax: .zero, duplicationProbability: -0.1)
        }
        #expect(throws: SimulationError.self) {
            try LinkProfile(latencyMin: .zero, latencyMax: .zero, lossProbability: .nan)
        }
        #expect(throws: SimulationError.self) {
            try LinkProfile(latencyMin: .zero, latencyMax: .zero, maxDuplicates: -1)
        }
    }
}
