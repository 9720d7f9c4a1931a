import KalandraCore

/// Byte layouts of stored keys. Big-endian integers, so the store's bytewise key order is log order.
public enum KeyEncoding {
    /// 16 bytes: the room identifier.
    public static func room(_ room: RoomID) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(room.high, to: &bytes)
        append(room.low, to: &bytes)
        return bytes
    }

    /// 24 bytes: room ‖ sequence. Keys of `log` and `logKeys`.
    public static func logEntry(_ room: RoomID, _ sequence: LogSequence) -> [UInt8] {
        var bytes = Self.room(room)
        append(sequence.rawValue, to: &bytes)
        return bytes
    }

    /// 20 bytes: room ‖ segment index. Keys of `segments`.
    public static func segment(_ room: RoomID, _ index: UInt32) -> [UInt8] {
        var bytes = Self.room(room)
        bytes.append(contentsOf: [
            UInt8(index >> 24), UInt8(truncatingIfNeeded: index >> 16),
            UInt8(truncatingIfNeeded: index >> 8), UInt8(truncatingIfNeeded: index),
        ])
        return bytes
    }

    /// 1 + n bytes: namespace ‖ name. Keys of `state`.
    public static func state(_ key: StateKey) -> [UInt8] {
        [key.namespace.rawValue] + key.name
    }

    /// The smallest key after every key that starts with `room`: the exclusive upper bound of a room's range.
    public static func roomUpperBound(_ room: RoomID) -> [UInt8] {
        // 16 bytes of the room followed by 9 bytes of 0xFF sort after any 24-byte or 20-byte key of the room and
        // before any key of the next room.
        Self.room(room) + [UInt8](repeating: 0xFF, count: 9)
    }

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    static func readUInt64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
