import KalandraSimulation
import Testing

@Suite struct SwarmParametersTests {
    @Test func deterministicPerSeedAndVariedAcrossSeeds() {
        #expect(SwarmParameters.draw(seed: 17) == SwarmParameters.draw(seed: 17))
        let descriptions = Set((0..<1_000 as Range<UInt64>).map { SwarmParameters.draw(seed: $0).description })
        #expect(descriptions.count == 1_000)
    }

    // The bounds documented on the fields, written out here so a change to the drawing code that breaks them fails.
    @Test func staysWithinDocumentedBoundsOverAThousandSeeds() {
        var zeroLoss = 0
        var zeroDuplication = 0
        var zeroPartitions = 0
        var zeroCrashes = 0
        var zeroDisconnects = 0
        var reordering = 0
        var diskLoss = 0
        var clientCounts = Set<Int>()
        var roomCounts = Set<Int>()
        for seed in 0..<1_000 as Range<UInt64> {
            let p = SwarmParameters.draw(seed: seed)
            #expect(p.seed == seed)
            #expect((0...0.5).contains(p.lossProbability))
            #expect((0...0.3).contains(p.duplicationProbability))
            #expect((1...3).contains(p.maxDuplicates))
            #expect((SimTime.microseconds(100)...SimTime.milliseconds(20)).contains(p.latencyMin))
            #expect(p.latencyMin <= p.latencyMax && p.latencyMax <= p.latencyMin + .milliseconds(200))
            if !p.reordering { #expect(p.latencyMin == p.latencyMax) }
            #expect((0...0.2).contains(p.partitionProbability))
            #expect((SimTime.milliseconds(100)...SimTime.seconds(5)).contains(p.partitionMeanDuration))
            #expect((0...1).contains(p.oneWayPartitionShare))
            #expect((0...0.05).contains(p.serverCrashProbability))
            #expect((0...0.2).contains(p.clientDisconnectProbability))
            #expect((2...8).contains(p.clientCount))
            #expect((1...3).contains(p.roomCount))
            #expect((0.5...20).contains(p.messagesPerSecond))
            #expect((0...2).contains(p.proposalsPerSecond))
            #expect((0.1...2).contains(p.commitsPerSecond))
            #expect((SimTime.seconds(5)...SimTime.seconds(60)).contains(p.faultPhase))
            #expect((SimTime.seconds(10)...SimTime.seconds(30)).contains(p.quietPhase))
            #expect((try? p.faultyLinkProfile) != nil)
            if p.lossProbability == 0 { zeroLoss += 1 }
            if p.duplicationProbability == 0 { zeroDuplication += 1 }
            if p.partitionProbability == 0 { zeroPartitions += 1 }
            if p.serverCrashProbability == 0 { zeroCrashes += 1 }
            if p.clientDisconnectProbability == 0 { zeroDisconnects += 1 }
            if p.reordering { reordering += 1 }
            if p.diskWriteLossOnCrash { diskLoss += 1 }
            clientCounts.insert(p.clientCount)
            roomCounts.insert(p.roomCount)
        }
        // Each fault is off for some seeds and on for most; about a quarter or a third are off (±5 deviations).
        #expect((180...320).contains(zeroLoss), "\(zeroLoss)")
        #expect((260...410).contains(zeroDuplication), "\(zeroDuplication)")
        #expect((180...320).contains(zeroPartitions), "\(zeroPartitions)")
        #expect((260...410).contains(zeroCrashes), "\(zeroCrashes)")
        #expect((180...320).contains(zeroDisconnects), "\(zeroDisconnects)")
        #expect((680...820).contains(reordering), "\(reordering)")
        #expect((420...580).contains(diskLoss), "\(diskLoss)")
        #expect(clientCounts == Set(2...8))
        #expect(roomCounts == Set(1...3))
    }

    @Test func descriptionHasOneLinePerField() {
        let lines = SwarmParameters.draw(seed: 3).description.split(separator: "\n")
        #expect(lines.count == 20)
        #expect(lines.first == "seed: 3")
        #expect(lines.contains { $0.hasPrefix("lossProbability: ") })
        #expect(lines.contains { $0.hasPrefix("quietPhase: ") && $0.hasSuffix("ms") })
    }

    @Test func optionsOverrideOnlyWhatTheyName() throws {
        for seed in 0..<200 as Range<UInt64> {
            let drawn = SwarmParameters.draw(seed: seed)
            let forced = SwarmParameters.draw(
                seed: seed,
                options: try FaultOptions(arguments: ["loss=0.5", "no-partitions"])
            )
            var expected = drawn
            expected.lossProbability = 0.5
            expected.partitionProbability = 0
            #expect(forced == expected)
        }
        let calm = SwarmParameters.draw(
            seed: 8,
            options: try FaultOptions(arguments: [
                "reordering=off", "crashes=off", "disconnects=off", "disk-loss=on", "clients=5", "rooms=2",
                "duplication=0",
            ])
        )
        #expect(calm.latencyMin == calm.latencyMax && !calm.reordering)
        #expect(calm.serverCrashProbability == 0 && calm.clientDisconnectProbability == 0)
        #expect(calm.diskWriteLossOnCrash && calm.duplicationProbability == 0)
        #expect(calm.clientCount == 5 && calm.roomCount == 2)
        for seed in 0..<100 as Range<UInt64> {
            let stormy = SwarmParameters.draw(
                seed: seed,
                options: try FaultOptions(arguments: ["partitions=on", "crashes=on"])
            )
            #expect(stormy.partitionProbability >= 0.05 && stormy.serverCrashProbability >= 0.01)
        }
    }

    @Test(arguments: ["loss=2", "loss=x", "partitions=maybe", "clients=0", "speed=3", "loss"])
    func badOptionsAreRefused(argument: String) {
        #expect(throws: SimulationError.self) { try FaultOptions(arguments: [argument]) }
    }
}
