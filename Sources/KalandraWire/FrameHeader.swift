import KalandraCore
import KalandraCrypto

/// The fixed 128-byte frame header (layout in docs/PROTOCOL.md and `FrameHeader.Layout`). A plain value: parsing one
/// reads fixed offsets of the received bytes and allocates nothing.
public struct FrameHeader: Sendable, Hashable {
    /// The header's size on the wire.
    public static let byteCount = 128
    /// "SUND" in ASCII.
    public static let magic: UInt32 = 0x5355_4E44
    /// The protocol version this build writes and reads.
    public static let version: UInt8 = 1

    /// Flag bits; reserved bits are zero.
    public var flags: FrameFlags
    /// What the payload is.
    public var opcode: Opcode
    /// The room the frame belongs to (zero for session frames that concern no room).
    public var roomID: RoomID
    /// The key that signed the frame.
    public var senderID: SenderID
    /// The MLS epoch the sender was in when it wrote the frame.
    public var epoch: Epoch
    /// The frame's position in the room log; `unsequenced` until the room's sequencer assigns one.
    public var sequence: LogSequence
    /// When the sender wrote the frame (the sender's clock); receivers bound the skew they accept.
    public var timestamp: Timestamp
    /// Per-sender counter: with the sender ID it identifies the frame for replay protection and retries.
    public var messageID: UInt32
    /// The number of CBOR payload bytes that follow the header.
    public var payloadLength: UInt32
    /// Ed25519 signature over `Frame.signatureContext`, header bytes 0..<64 and the payload.
    public var signature: Signature

    /// A header; the signature stays zero until the frame is signed (`Frame.signed`).
    public init(
        flags: FrameFlags = [],
        opcode: Opcode,
        roomID: RoomID,
        senderID: SenderID,
        epoch: Epoch = Epoch(0),
        sequence: LogSequence = .unsequenced,
        timestamp: Timestamp,
        messageID: UInt32,
        payloadLength: UInt32 = 0,
        signature: Signature = .zero
    ) {
        precondition(flags.isSubset(of: .defined), "reserved flag bits must be zero")
        self.flags = flags
        self.opcode = opcode
        self.roomID = roomID
        self.senderID = senderID
        self.epoch = epoch
        self.sequence = sequence
        self.timestamp = timestamp
        self.messageID = messageID
        self.payloadLength = payloadLength
        self.signature = signature
    }
}

extension FrameHeader {
    /// Byte offsets of the header fields. All integers are big-endian.
    public enum Layout {
        public static let magic = 0  // u32
        public static let version = 4  // u8
        public static let flags = 5  // u8
        public static let opcode = 6  // u16
        public static let roomID = 8  // 16 bytes
        public static let senderID = 24  // u64
        public static let epoch = 32  // u64
        public static let sequence = 40  // u64
        public static let timestamp = 48  // u48, milliseconds since the Unix epoch
        public static let reserved = 54  // 2 bytes, zero
        public static let messageID = 56  // u32
        public static let payloadLength = 60  // u32
        public static let signature = 64  // 64 bytes
        /// The signature covers header bytes 0..<signedByteCount (every field but itself).
        public static let signedByteCount = 64
    }
}
