import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Independent jobs spread over the machine's cores, with results in job order. Deterministic: a job's inputs are
/// fixed before any job starts (callers draw randomness first, in order), and each result lands at its own index,
/// so the output does not depend on scheduling. Small batches run inline, where threads would cost more than they
/// save.
enum ParallelMap {
    /// Below this many jobs everything runs on the calling thread.
    static let minimumParallelCount = 32

    /// `body(0) ..< body(count)` in order; throws the error of the lowest failing index.
    static func map<Value: Sendable>(
        count: Int,
        _ body: @Sendable (Int) throws(MLSError) -> Value
    ) throws(MLSError) -> [Value] {
        guard count >= minimumParallelCount else {
            var values: [Value] = []
            values.reserveCapacity(count)
            for index in 0..<count { values.append(try body(index)) }
            return values
        }
        let results = ResultSlots<Value>(count: count)
        // A few chunks per core keep both cores busy when jobs take uneven time.
        let chunks = min(count, 4 * max(1, System.coreCount))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            for index in start..<end {
                do throws(MLSError) {
                    results.set(index, .success(try body(index)))
                } catch {
                    results.set(index, .failure(error))
                }
            }
        }
        return try results.values()
    }
}

/// One slot per job, each written by exactly one job before `concurrentPerform` returns, read only afterwards.
private final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Result<Value, MLSError>?>
    private let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    func set(_ index: Int, _ result: Result<Value, MLSError>) { slots[index] = result }

    func values() throws(MLSError) -> [Value] {
        var values: [Value] = []
        values.reserveCapacity(count)
        for index in 0..<count {
            switch slots[index] {
            case .success(let value)?: values.append(value)
            case .failure(let error)?: throw error
            case nil: preconditionFailure("job \(index) did not run")
            }
        }
        return values
    }
}

/// The number of cores to spread work over.
enum System {
    static let coreCount: Int = {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 2
        #endif
    }()
}
