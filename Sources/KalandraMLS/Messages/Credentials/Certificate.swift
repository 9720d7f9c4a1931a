/// `struct { opaque cert_data<V>; } Certificate` (RFC 9420 §5.3): one DER-encoded X.509 certificate, carried
/// unparsed.
public struct Certificate: Sendable, Equatable, TLSCodable {
    /// The DER encoding.
    public var certificateData: [UInt8]

    /// The certificate encoded as `certificateData`.
    public init(_ certificateData: [UInt8]) { self.certificateData = certificateData }

    /// Reads `opaque cert_data<V>`.
    public init(from reader: inout TLSReader) throws(MLSError) { certificateData = try reader.readOpaque() }

    /// Writes `opaque cert_data<V>`.
    public func encode(to writer: inout TLSWriter) { writer.writeOpaque(certificateData) }
}
