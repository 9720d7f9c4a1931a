import KalandraCrypto

/// Reads RFC 9420 §2.1 TLS presentation-language values from bytes, front to back, with a cursor.
///
/// Every length is checked against the bytes that remain and against `limits` before anything is allocated, so
/// input can make a read fail but never trap or exhaust memory. After a read throws, the cursor is unspecified and
/// the reader should be discarded.
public struct TLSReader: Sendable {
    private let bytes: [UInt8]
    /// Offset of the next byte to read.
    public private(set) var position: Int
    /// Offset one past the last readable byte: the end of the input, or of the vector being read.
    private var end: Int
    private var depth: Int
    /// The bounds this reader enforces.
    public let limits: TLSLimits

    /// A reader over `bytes`, starting at the first byte.
    public init(_ bytes: [UInt8], limits: TLSLimits = .default) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
        self.depth = 0
        self.limits = limits
    }

    /// The number of bytes left to read (inside the current vector, when reading one).
    public var remainingCount: Int { end - position }

    /// Whether every byte (of the current vector) has been read.
    public var isAtEnd: Bool { position == end }

    /// Throws `trailingBytes` unless every byte has been read.
    public func finish() throws(MLSError) {
        guard isAtEnd else {
            throw MLSError(.trailingBytes(count: remainingCount), context: "at byte \(position)")
        }
    }

    // MARK: Fixed-width integers

    /// A `uint8`.
    public mutating func readUInt8() throws(MLSError) -> UInt8 {
        try require(1)
        defer { position += 1 }
        return bytes[position]
    }

    /// A big-endian `uint16`.
    public mutating func readUInt16() throws(MLSError) -> UInt16 {
        UInt16(truncatingIfNeeded: try readBigEndian(byteCount: 2))
    }

    /// A big-endian `uint32`.
    public mutating func readUInt32() throws(MLSError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readBigEndian(byteCount: 4))
    }

    /// A big-endian `uint64`.
    public mutating func readUInt64() throws(MLSError) -> UInt64 {
        try readBigEndian(byteCount: 8)
    }

    private mutating func readBigEndian(byteCount: Int) throws(MLSError) -> UInt64 {
        try require(byteCount)
        var value: UInt64 = 0
        for offset in 0..<byteCount {
            value = value << 8 | UInt64(bytes[position + offset])
        }
        position += byteCount
        return value
    }

    // MARK: Variable-length values

    /// An RFC 9420 §2.1.2 variable-length integer: 1, 2 or 4 bytes, minimally encoded, never prefix 0b11.
    public mutating func readVarint() throws(MLSError) -> Int {
        let start = position
        let first = try readUInt8()
        let prefix = first >> 6
        guard prefix != 3 else { throw MLSError(.invalidVarintPrefix, context: "at byte \(start)") }
        let length = 1 << Int(prefix)
        try require(length - 1)
        var value = Int(first & 0x3F)
        for _ in 1..<length {
            value = value << 8 | Int(bytes[position])
            position += 1
        }
        // A value that fits in half the length must have used the shorter form.
        if prefix >= 1 && value < 1 << (8 * (length / 2) - 2) {
            throw MLSError(.nonMinimalVarint, context: "value \(value) in \(length) bytes at byte \(start)")
        }
        return value
    }

    /// `opaque data<V>`: a variable-length integer byte count, then that many bytes.
    public mutating func readOpaque() throws(MLSError) -> [UInt8] {
        let length = try readVectorLength()
        defer { position += length }
        return Array(bytes[position..<position + length])
    }

    /// `opaque data<V>` holding secret material, copied straight into zeroised storage.
    public mutating func readOpaqueSecret() throws(MLSError) -> SecretBytes {
        let length = try readVectorLength()
        defer { position += length }
        return SecretBytes(copying: bytes[position..<position + length])
    }

    /// `opaque data[count]`: exactly `count` bytes, no length prefix.
    public mutating func readFixed(count: Int) throws(MLSError) -> [UInt8] {
        guard count >= 0 else { throw MLSError(.invalidValue("negative fixed length \(count)")) }
        try require(count)
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    /// `T elements<V>`: a byte count, then elements read by `element` until the bytes are used up exactly. An element
    /// running past the vector's end fails as truncated; an element that consumes nothing is refused, since it would
    /// repeat forever.
    public mutating func readVector<T>(
        _ element: (inout TLSReader) throws(MLSError) -> T
    ) throws(MLSError) -> [T] {
        guard depth < limits.maximumNestingDepth else {
            throw MLSError(.nestingTooDeep(limit: limits.maximumNestingDepth), context: "at byte \(position)")
        }
        let length = try readVectorLength()
        let savedEnd = end
        end = position + length
        depth += 1
        defer {
            end = savedEnd
            depth -= 1
        }
        var elements: [T] = []
        while position < end {
            guard elements.count < limits.maximumElementCount else {
                throw MLSError(.elementCountExceeded(limit: limits.maximumElementCount), context: "at byte \(position)")
            }
            let before = position
            elements.append(try element(&self))
            guard position > before else {
                throw MLSError(.invalidValue("vector element consumed no bytes"), context: "at byte \(position)")
            }
        }
        return elements
    }

    /// `T elements<V>` of a `TLSCodable` type.
    public mutating func readVector<T: TLSCodable>(of type: T.Type) throws(MLSError) -> [T] {
        try readVector { (reader: inout TLSReader) throws(MLSError) -> T in try T(from: &reader) }
    }

    /// `optional<T>`: a presence byte (0 absent, 1 present; anything else is invalid), then the value if present.
    public mutating func readOptional<T>(
        _ element: (inout TLSReader) throws(MLSError) -> T
    ) throws(MLSError) -> T? {
        let start = position
        switch try readUInt8() {
        case 0: return nil
        case 1: return try element(&self)
        case let presence:
            throw MLSError(.invalidValue("optional presence byte \(presence)"), context: "at byte \(start)")
        }
    }

    /// `optional<T>` of a `TLSCodable` type.
    public mutating func readOptional<T: TLSCodable>(of type: T.Type) throws(MLSError) -> T? {
        try readOptional { (reader: inout TLSReader) throws(MLSError) -> T in try T(from: &reader) }
    }

    // MARK: Checks

    /// Reads a vector length and checks it against the limit and the bytes that remain.
    private mutating func readVectorLength() throws(MLSError) -> Int {
        let start = position
        let length = try readVarint()
        guard length <= limits.maximumVectorBytes else {
            throw MLSError(
                .lengthLimitExceeded(length: length, limit: limits.maximumVectorBytes),
                context: "vector length at byte \(start)"
            )
        }
        try require(length)
        return length
    }

    private func require(_ count: Int) throws(MLSError) {
        guard count <= remainingCount else {
            throw MLSError(.truncated(needed: count - remainingCount), context: "at byte \(position)")
        }
    }
}
