import KalandraCore

/// The deterministic workload shared by the crash child and its checker (this file is compiled into both).
enum CrashWorkload {
    static func room(_ index: Int) -> RoomID { RoomID(high: 0xC4A5, low: UInt64(index)) }

    /// Batches of 1 to 7 entries, so boundaries are irregular but computable.
    static func batchSize(after last: UInt64, room: Int) -> UInt64 { (last &+ UInt64(room)) % 7 + 1 }

    static func payload(room: Int, sequence: UInt64) -> [UInt8] {
        var generator = DeterministicGenerator(seed: UInt64(room) << 40 ^ sequence)
        return (0..<256).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    static func marker(_ last: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: last >> (56 - 8 * UInt64($0))) }
    }

    /// Whether `last` ends a batch, i.e. is reachable from 0 by whole batches.
    static func isBoundary(_ last: UInt64, room: Int) -> Bool {
        var position: UInt64 = 0
        while position < last { position += batchSize(after: position, room: room) }
        return position == last
    }
}
