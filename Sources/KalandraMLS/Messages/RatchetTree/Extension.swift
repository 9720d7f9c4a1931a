/// `struct { ExtensionType extension_type; opaque extension_data<V>; } Extension` (RFC 9420 §7.2). The data is kept
/// opaque here whatever the type; the layers that use an extension parse its data.
public struct Extension: Sendable, Equatable, TLSCodable {
    /// The extension's type.
    public var extensionType: ExtensionType
    /// `opaque extension_data<V>`.
    public var extensionData: [UInt8]

    /// An extension from its fields.
    public init(extensionType: ExtensionType, extensionData: [UInt8]) {
        self.extensionType = extensionType
        self.extensionData = extensionData
    }

    /// Reads the type and the data.
    public init(from reader: inout TLSReader) throws(MLSError) {
        extensionType = try ExtensionType(from: &reader)
        extensionData = try reader.readOpaque()
    }

    /// Writes the type and the data.
    public func encode(to writer: inout TLSWriter) {
        extensionType.encode(to: &writer)
        writer.writeOpaque(extensionData)
    }
}
