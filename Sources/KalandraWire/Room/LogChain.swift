import KalandraCore
import KalandraCrypto

/// The room log's hash chain: `chain[n] = SHA-256("kalandra log v1" ‖ chain[n−1] ‖ n (u64) ‖ frame[n])`, with
/// `chain[0]` 32 zero bytes. The sequencer sends each entry's chain hash with its acknowledgement and delivery, so
/// two clients who saw the same hash at a sequence saw the same log up to it, and a client can check that each
/// delivery extends what it saw (one total order per room).
public enum LogChain {
    /// The chain hash before the first entry.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    static let label = Array("kalandra log v1".utf8)

    /// The chain hash at `sequence` for the entry `frame` (its bytes as the author signed them).
    public static func next(previous: [UInt8], sequence: LogSequence, frame: [UInt8]) -> [UInt8] {
        let position = (0..<8).map { UInt8(truncatingIfNeeded: sequence.rawValue >> (56 - 8 * $0)) }
        return SHA256Hash.digest(label, previous, position, frame)
    }
}
