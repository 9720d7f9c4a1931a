/// `PreSharedKeyID` (RFC 9420 §8.4): which pre-shared key to inject, and a fresh nonce.
public struct PreSharedKeyID: Sendable, Equatable, TLSCodable {
    /// The key, by PSK type.
    public enum Key: Sendable, Equatable {
        /// An external PSK, by `opaque psk_id<V>`.
        case external(id: [UInt8])
        /// The resumption PSK of group `groupID` (`opaque psk_group_id<V>`) at `epoch` (`uint64 psk_epoch`).
        case resumption(usage: ResumptionPSKUsage, groupID: [UInt8], epoch: UInt64)

        /// The PSK type.
        public var pskType: PSKType {
            switch self {
            case .external: .external
            case .resumption: .resumption
            }
        }
    }

    /// The key.
    public var key: Key
    /// `opaque psk_nonce<V>`: fresh and random, `KDF.Nh` bytes long (checked where the PSK is used).
    public var nonce: [UInt8]

    /// An identifier from its fields.
    public init(key: Key, nonce: [UInt8]) {
        self.key = key
        self.nonce = nonce
    }

    /// Reads the PSK type, the fields it selects, and the nonce.
    public init(from reader: inout TLSReader) throws(MLSError) {
        switch try PSKType(from: &reader) {
        case .external:
            key = .external(id: try reader.readOpaque())
        case .resumption:
            let usage = try ResumptionPSKUsage(from: &reader)
            let groupID = try reader.readOpaque()
            key = .resumption(usage: usage, groupID: groupID, epoch: try reader.readUInt64())
        }
        nonce = try reader.readOpaque()
    }

    /// Writes the PSK type, its fields and the nonce.
    public func encode(to writer: inout TLSWriter) {
        key.pskType.encode(to: &writer)
        switch key {
        case .external(let id):
            writer.writeOpaque(id)
        case .resumption(let usage, let groupID, let epoch):
            usage.encode(to: &writer)
            writer.writeOpaque(groupID)
            writer.writeUInt64(epoch)
        }
        writer.writeOpaque(nonce)
    }
}
