import KalandraCore
import KalandraCrypto
import KalandraDataPlane
import KalandraMLS
import KalandraWire
import Testing

/// Seeded property: whatever order, duplication and loss the network applies, each message decrypts at most once
/// and to what was sent; a refused copy is a replay of a delivered one, or expired (a window of skipped generations
/// or more behind the newest), and nothing else.
@Suite struct ReorderingPropertyTests {
    @Test(arguments: 1...20 as ClosedRange<UInt64>)
    func reorderedDuplicatedAndLostMessages(seed: UInt64) throws {
        var random = DeterministicGenerator(seed: seed)
        var room = PureRoom()
        let limits = SenderKeyLimits(maximumSkippedGenerations: 64, maximumForwardJump: 256, maximumPlaintextBytes: 64)
        var alice = room.state(of: 0, limits: limits)
        var bob = room.state(of: 1, limits: limits)
        let count = 100
        var frames: [Frame] = []
        for index in 0..<count { frames.append(try room.seal("m\(index)", from: 0, state: &alice).frame) }
        // Deliver a shuffled sample with duplicates; a message displaced by more than the window may expire.
        var deliveries = (0..<count).filter { _ in random.next() % 10 != 0 }
        deliveries += deliveries.filter { _ in random.next() % 4 == 0 }
        deliveries.shuffle(using: &random)
        var delivered: Set<Int> = []
        var highest = -1
        for index in deliveries {
            do {
                let opened = try bob.open(frames[index])
                #expect(opened.text == "m\(index)")
                #expect(delivered.insert(index).inserted, "message \(index) decrypted twice")
                highest = max(highest, index)
            } catch {
                switch error {
                case .replayedGeneration(let generation):
                    #expect(delivered.contains(Int(generation)))
                case .generationExpired(let generation, let oldestRetained):
                    // Expired means more than a window of skipped generations separates it from the newest.
                    #expect(generation < oldestRetained)
                    #expect(Int(generation) <= highest - limits.maximumSkippedGenerations)
                default:
                    Issue.record("unexpected error \(error)")
                }
            }
        }
        #expect(!delivered.isEmpty)
    }
}
