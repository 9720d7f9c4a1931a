import KalandraCore
import KalandraCrypto

extension FrameHeader {
    /// Parses the first 128 bytes of `bytes` (more may follow: the payload). Reads fixed offsets, allocates nothing,
    /// and checks, in this order: length, magic, version, opcode, flags, reserved bytes, payload length limit.
    @inlinable
    public init(
        parsing bytes: UnsafeRawBufferPointer,
        maximumPayloadLength: Int = Limits.maximumFramePayloadBytes
    )
        throws(FrameError)
    {
        guard bytes.count >= Self.byteCount else { throw .shortBuffer(missing: Self.byteCount - bytes.count) }
        let magic = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: Layout.magic, as: UInt32.self))
        guard magic == Self.magic else { throw .wrongMagic(found: magic) }
        let version = bytes[Layout.version]
        guard version == Self.version else { throw .unknownVersion(version) }
        let rawOpcode = UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: Layout.opcode, as: UInt16.self))
        guard let opcode = Opcode(rawValue: rawOpcode) else { throw .unknownOpcode(rawOpcode) }
        let flags = FrameFlags(rawValue: bytes[Layout.flags])
        guard flags.isSubset(of: .defined) else { throw .reservedFlagsSet(flags.subtracting(.defined).rawValue) }
        if bytes[Layout.reserved] != 0 { throw .nonZeroReserved(offset: Layout.reserved) }
        if bytes[Layout.reserved + 1] != 0 { throw .nonZeroReserved(offset: Layout.reserved + 1) }
        let payloadLength = Self.loadUInt32(bytes, Layout.payloadLength)
        guard payloadLength <= maximumPayloadLength else {
            throw .payloadTooLarge(length: payloadLength, limit: maximumPayloadLength)
        }
        let timestampHigh = UInt64(
            UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: Layout.timestamp, as: UInt16.self))
        )
        let timestampLow = UInt64(Self.loadUInt32(bytes, Layout.timestamp + 2))
        // 48 bits always fit a Timestamp.
        let timestamp = Timestamp(milliseconds: timestampHigh << 32 | timestampLow)!

        self.flags = flags
        self.opcode = opcode
        self.roomID = RoomID(
            high: Self.loadUInt64(bytes, Layout.roomID),
            low: Self.loadUInt64(bytes, Layout.roomID + 8)
        )
        self.senderID = SenderID(Self.loadUInt64(bytes, Layout.senderID))
        self.epoch = Epoch(Self.loadUInt64(bytes, Layout.epoch))
        self.sequence = LogSequence(Self.loadUInt64(bytes, Layout.sequence))
        self.timestamp = timestamp
        self.messageID = Self.loadUInt32(bytes, Layout.messageID)
        self.payloadLength = payloadLength
        self.signature = Signature(
            rawValue: bytes.loadUnaligned(fromByteOffset: Layout.signature, as: SIMD64<UInt8>.self)
        )
    }

    @inlinable
    static func loadUInt64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable
    static func loadUInt32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
