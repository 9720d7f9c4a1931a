/// A value with an RFC 9420 TLS presentation-language encoding.
public protocol TLSCodable {
    /// Reads one value from `reader`, leaving the cursor after it.
    init(from reader: inout TLSReader) throws(MLSError)
    /// Appends the value's encoding to `writer`.
    func encode(to writer: inout TLSWriter)
}

extension TLSCodable {
    /// The value's encoding.
    public func encoded() -> [UInt8] {
        var writer = TLSWriter()
        encode(to: &writer)
        return writer.bytes
    }

    /// The value encoded by exactly `bytes`; trailing bytes are an error.
    public static func decode(_ bytes: [UInt8], limits: TLSLimits = .default) throws(MLSError) -> Self {
        var reader = TLSReader(bytes, limits: limits)
        let value = try Self(from: &reader)
        try reader.finish()
        return value
    }
}

extension UInt8: TLSCodable {
    /// A `uint8`.
    public init(from reader: inout TLSReader) throws(MLSError) { self = try reader.readUInt8() }
    /// A `uint8`.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt8(self) }
}

extension UInt16: TLSCodable {
    /// A big-endian `uint16`.
    public init(from reader: inout TLSReader) throws(MLSError) { self = try reader.readUInt16() }
    /// A big-endian `uint16`.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt16(self) }
}

extension UInt32: TLSCodable {
    /// A big-endian `uint32`.
    public init(from reader: inout TLSReader) throws(MLSError) { self = try reader.readUInt32() }
    /// A big-endian `uint32`.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt32(self) }
}

extension UInt64: TLSCodable {
    /// A big-endian `uint64`.
    public init(from reader: inout TLSReader) throws(MLSError) { self = try reader.readUInt64() }
    /// A big-endian `uint64`.
    public func encode(to writer: inout TLSWriter) { writer.writeUInt64(self) }
}
