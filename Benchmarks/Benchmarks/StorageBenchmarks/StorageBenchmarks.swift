import Benchmark
import Foundation
import KalandraCore
import KalandraRocksDB
import KalandraStorage

/// Storage benchmarks on a real RocksDB in a temporary folder (same disk as the repository's temp dir). Each
/// measured iteration performs `scaledIterations` operations, so throughput reads as operations per second.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        maxDuration: .seconds(5),
        maxIterations: 20
    )
    let payload = [UInt8](repeating: 0xAB, count: 256)

    /// Runs `body` with a store on a fresh RocksDB folder, removed afterwards.
    func withStore(_ label: String, _ body: (LogStore, RocksDBKeyValueStore) -> Void) {
        let path = NSTemporaryDirectory() + "kalandra-bench-\(label)-\(UUID().uuidString)"
        let backend = try! RocksDBKeyValueStore(path: path)
        defer {
            backend.close()
            try? FileManager.default.removeItem(atPath: path)
        }
        body(LogStore(backend: backend, keySource: .system), backend)
    }

    // Anchor: raw RocksDB, one 256-byte put with its own fsync, through the same wrapper.
    Benchmark("Anchor: RocksDB put + fsync (256 B)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        withStore("anchor-single") { _, backend in
            var key: UInt64 = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                key += 1
                var batch = RocksWriteBatch()
                batch.put(withUnsafeBytes(of: key.bigEndian) { Array($0) }, payload, columnFamily: "log")
                try! backend.database.write(batch, sync: true)
            }
            benchmark.stopMeasurement()
        }
    }

    // Anchor: raw RocksDB, fsync'd batches of 100 puts (throughput counts puts).
    Benchmark("Anchor: RocksDB puts in fsync'd batches of 100 (256 B)", configuration: .init(scalingFactor: .kilo)) {
        benchmark in
        withStore("anchor-batch") { _, backend in
            var key: UInt64 = 0
            benchmark.startMeasurement()
            for _ in 0..<(benchmark.scaledIterations.count / 100) {
                var batch = RocksWriteBatch()
                for _ in 0..<100 {
                    key += 1
                    batch.put(withUnsafeBytes(of: key.bigEndian) { Array($0) }, payload, columnFamily: "log")
                }
                try! backend.database.write(batch, sync: true)
            }
            benchmark.stopMeasurement()
        }
    }

    // One appender, synced (bound by fsync) and buffered (the CPU cost of an append without its sync: encryption,
    // checksums, encoding and the RocksDB write).
    for (name, durability) in [
        ("Durable append, one appender (256 B)", Durability.synced),
        ("Buffered append, one appender (256 B, no sync)", .buffered),
    ] {
        Benchmark(name, configuration: .init(scalingFactor: .kilo)) { benchmark in
            withStore("single") { store, _ in
                let room = RoomID(high: 1, low: 1)
                var sequence = try! store.lastSequence(of: room).rawValue
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    sequence += 1
                    var batch = WriteBatch()
                    batch.append(payload, to: room, at: LogSequence(sequence))
                    try! store.write(batch, durability: durability)
                }
                benchmark.stopMeasurement()
            }
        }
    }

    for appenders in [16, 64] {
        Benchmark(
            "Durable append, \(appenders) concurrent appenders, group commit (256 B)",
            configuration: .init(scalingFactor: .kilo)
        ) { benchmark in
            withStore("group-\(appenders)") { store, backend in
                let total = benchmark.scaledIterations.count
                let group = DispatchGroup()
                let start = DispatchSemaphore(value: 0)
                for appender in 0..<appenders {
                    group.enter()
                    Thread.detachNewThread {
                        defer { group.leave() }
                        let room = RoomID(high: 2, low: UInt64(appender))
                        var sequence = try! store.lastSequence(of: room).rawValue
                        start.wait()
                        // Exactly `total` appends in all: the first `total % appenders` appenders do one more.
                        let count = total / appenders + (appender < total % appenders ? 1 : 0)
                        for _ in 0..<count {
                            sequence += 1
                            var batch = WriteBatch()
                            batch.append(payload, to: room, at: LogSequence(sequence))
                            try! store.write(batch, durability: .synced)
                        }
                    }
                }
                benchmark.startMeasurement()
                for _ in 0..<appenders { start.signal() }
                group.wait()
                benchmark.stopMeasurement()
            }
        }
    }

    // The async API: appenders are tasks, not threads; the commit queue leads the groups.
    for appenders in [64, 256] {
        Benchmark(
            "Durable append, \(appenders) concurrent async appenders, group commit (256 B)",
            configuration: .init(scalingFactor: .kilo)
        ) { benchmark in
            withStore("async-\(appenders)") { store, backend in
                let total = benchmark.scaledIterations.count
                let done = DispatchSemaphore(value: 0)
                benchmark.startMeasurement()
                Task {
                    await withTaskGroup(of: Void.self) { group in
                        for appender in 0..<appenders {
                            // Exactly `total` appends in all: the first `total % appenders` appenders do one more.
                            let count = total / appenders + (appender < total % appenders ? 1 : 0)
                            guard count > 0 else { continue }
                            group.addTask {
                                let room = RoomID(high: 5, low: UInt64(appender))
                                for sequence in 1...UInt64(count) {
                                    var batch = WriteBatch()
                                    batch.append(payload, to: room, at: LogSequence(sequence))
                                    try! await store.write(batch, durability: .synced)
                                }
                            }
                        }
                    }
                    done.signal()
                }
                done.wait()
                benchmark.stopMeasurement()
            }
        }
    }

    Benchmark(
        "Range read, 100 entries of 256 B (throughput counts entries)",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        withStore("read") { store, backend in
            let room = RoomID(high: 3, low: 3)
            var batch = WriteBatch()
            for sequence in 1...10_000 as ClosedRange<UInt64> {
                batch.append(payload, to: room, at: LogSequence(sequence))
            }
            try! store.write(batch, durability: .synced)
            var from: UInt64 = 1
            benchmark.startMeasurement()
            for _ in 0..<(benchmark.scaledIterations.count / 100) {
                blackHole(try! store.readLog(of: room, from: LogSequence(from), maximumCount: 100))
                from = from % 9_900 + 1
            }
            benchmark.stopMeasurement()
        }
    }
}
