/// A room: 128 random bits chosen by the room's creator, unique across federated servers.
public struct RoomID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The most significant 64 bits (bytes 0..<8 on the wire).
    public var high: UInt64
    /// The least significant 64 bits (bytes 8..<16 on the wire).
    public var low: UInt64

    /// A room identifier from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A fresh room identifier drawn from `generator` (injected, so simulations replay).
    public static func random(using generator: inout some RandomNumberGenerator) -> RoomID {
        RoomID(high: generator.next(), low: generator.next())
    }

    /// 32 lowercase hexadecimal digits.
    public var description: String { Hex.encode(high) + Hex.encode(low) }

    public static func < (lhs: RoomID, rhs: RoomID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// Who signed a frame: a registered device key of a client, or a server key (see frame flags).
public struct SenderID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The identifier's value.
    public var rawValue: UInt64

    /// A sender identifier from its raw value.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// 16 lowercase hexadecimal digits.
    public var description: String { Hex.encode(rawValue) }

    public static func < (lhs: SenderID, rhs: SenderID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An MLS epoch (RFC 9420 uses uint64).
public struct Epoch: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The epoch number.
    public var rawValue: UInt64

    /// An epoch from its number.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The decimal epoch number.
    public var description: String { String(rawValue) }

    public static func < (lhs: Epoch, rhs: Epoch) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A position in a room's totally ordered log, assigned by the room's sequencer. Zero means "not sequenced".
public struct LogSequence: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The position; the first sequenced entry of a room is 1.
    public var rawValue: UInt64

    /// A log position from its number.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The position of a frame that has not been sequenced (yet).
    public static let unsequenced = LogSequence(0)

    /// The decimal position.
    public var description: String { String(rawValue) }

    public static func < (lhs: LogSequence, rhs: LogSequence) -> Bool { lhs.rawValue < rhs.rawValue }
}
