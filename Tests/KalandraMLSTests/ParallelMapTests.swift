import Testing

@testable import KalandraMLS

/// The deterministic parallel map that spreads HPKE seals and signature checks over cores.
@Suite struct ParallelMapTests {
    @Test(arguments: [0, 1, ParallelMap.minimumParallelCount - 1, ParallelMap.minimumParallelCount, 1_000])
    func resultsComeInJobOrder(_ count: Int) throws {
        #expect(try ParallelMap.map(count: count) { $0 * $0 } == (0..<count).map { $0 * $0 })
    }

    @Test func theLowestFailingJobsErrorIsThrown() {
        expectError(.invalidValue("job 40")) {
            _ = try ParallelMap.map(count: 500) { index throws(MLSError) in
                if index == 40 || index == 400 { throw MLSError(.invalidValue("job \(index)")) }
                return index
            }
        }
    }
}
