import KalandraCrypto

/// Writes RFC 9420 §2.1 TLS presentation-language values, appending to `bytes`.
///
/// Writing is for values this process built, so sizes the encoding cannot express (a vector over 2^30 - 1 bytes)
/// are programming errors and trap; values decoded from input are bounded by `TLSLimits` far below that.
public struct TLSWriter: Sendable {
    /// The largest value a variable-length integer can hold, 2^30 - 1.
    public static let maximumVarint = (1 << 30) - 1

    /// The encoding so far.
    public private(set) var bytes: [UInt8]

    /// An empty writer.
    public init() { bytes = [] }

    /// A `uint8`.
    public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

    /// A big-endian `uint16`.
    public mutating func writeUInt16(_ value: UInt16) { writeBigEndian(UInt64(value), byteCount: 2) }

    /// A big-endian `uint32`.
    public mutating func writeUInt32(_ value: UInt32) { writeBigEndian(UInt64(value), byteCount: 4) }

    /// A big-endian `uint64`.
    public mutating func writeUInt64(_ value: UInt64) { writeBigEndian(value, byteCount: 8) }

    private mutating func writeBigEndian(_ value: UInt64, byteCount: Int) {
        for index in (0..<byteCount).reversed() {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index)))
        }
    }

    /// An RFC 9420 §2.1.2 variable-length integer in its minimal form; `value` must be in 0...2^30 - 1.
    public mutating func writeVarint(_ value: Int) {
        precondition(value >= 0 && value <= Self.maximumVarint, "varint \(value) out of range 0...2^30-1")
        switch value {
        case 0..<(1 << 6): writeUInt8(UInt8(value))
        case 0..<(1 << 14): writeUInt16(0x4000 | UInt16(value))
        default: writeUInt32(0x8000_0000 | UInt32(value))
        }
    }

    /// `opaque data<V>`: the byte count as a variable-length integer, then the bytes.
    public mutating func writeOpaque(_ value: some Collection<UInt8>) {
        writeVarint(value.count)
        bytes.append(contentsOf: value)
    }

    /// `opaque data<V>` from secret material. The encoding is then as sensitive as the secret: callers zeroise it.
    public mutating func writeOpaque(_ secret: SecretBytes) {
        secret.withUnsafeBytes { writeOpaque($0) }
    }

    /// `opaque data[n]`: the bytes with no length prefix.
    public mutating func writeFixed(_ value: some Collection<UInt8>) {
        bytes.append(contentsOf: value)
    }

    /// A vector whose contents `body` writes; the byte count is computed from them and written first.
    public mutating func writeVector(_ body: (inout TLSWriter) -> Void) {
        var inner = TLSWriter()
        body(&inner)
        writeVarint(inner.bytes.count)
        bytes.append(contentsOf: inner.bytes)
    }

    /// `T elements<V>`, each element written by `element`.
    public mutating func writeVector<T>(_ elements: [T], _ element: (inout TLSWriter, T) -> Void) {
        writeVector { writer in
            for value in elements { element(&writer, value) }
        }
    }

    /// `T elements<V>` of a `TLSCodable` type.
    public mutating func writeVector(_ elements: [some TLSCodable]) {
        writeVector(elements) { writer, value in value.encode(to: &writer) }
    }

    /// `optional<T>`: 0 when absent; 1 and the value, written by `body`, when present.
    public mutating func writeOptional<T>(_ value: T?, _ body: (inout TLSWriter, T) -> Void) {
        guard let value else {
            writeUInt8(0)
            return
        }
        writeUInt8(1)
        body(&self, value)
    }

    /// `optional<T>` of a `TLSCodable` type.
    public mutating func writeOptional(_ value: (some TLSCodable)?) {
        writeOptional(value) { writer, present in present.encode(to: &writer) }
    }
}
