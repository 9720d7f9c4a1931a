import KalandraCBOR

/// Why a frame was refused. Each case names what was wrong with the input, so a peer's bug can be found from a log.
public enum FrameError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer bytes than a header, or than the header plus its declared payload; `missing` more are needed.
    case shortBuffer(missing: Int)
    /// The first four bytes are not "SUND".
    case wrongMagic(found: UInt32)
    /// A protocol version this build does not speak.
    case unknownVersion(UInt8)
    /// An opcode not in the opcode table.
    case unknownOpcode(UInt16)
    /// A reserved flag bit is set (the reserved bits of `flags` are given).
    case reservedFlagsSet(UInt8)
    /// A reserved header byte at `offset` is not zero.
    case nonZeroReserved(offset: Int)
    /// The declared payload length is over the receiver's limit.
    case payloadTooLarge(length: UInt32, limit: Int)
    /// A header's declared payload length differs from the payload it was given.
    case payloadLengthMismatch(declared: UInt32, actual: Int)
    /// Bytes after the end of the frame, in a buffer that should hold exactly one.
    case trailingBytes(count: Int)
    /// The signature does not verify under the sender's key (or the frame was modified).
    case badSignature
    /// The payload is not valid CBOR (or breaks a CBOR limit).
    case invalidPayload(CBORDecodingError)
    /// The payload is valid CBOR but not of the schema its opcode requires.
    case payloadSchemaMismatch(opcode: Opcode, reason: String)

    public var description: String {
        switch self {
        case .shortBuffer(let missing): "frame truncated: \(missing) more bytes needed"
        case .wrongMagic(let found):
            "not a Kalandra frame: magic 0x\(String(found, radix: 16)) is not 0x53554e44 (SUND)"
        case .unknownVersion(let version): "unknown protocol version \(version); this build speaks version 1"
        case .unknownOpcode(let opcode): "unknown opcode 0x\(String(opcode, radix: 16))"
        case .reservedFlagsSet(let bits): "reserved flag bits set: 0x\(String(bits, radix: 16))"
        case .nonZeroReserved(let offset): "reserved header byte at offset \(offset) is not zero"
        case .payloadTooLarge(let length, let limit): "payload of \(length) bytes is over the limit of \(limit) bytes"
        case .payloadLengthMismatch(let declared, let actual):
            "header declares a \(declared)-byte payload but \(actual) bytes were given"
        case .trailingBytes(let count): "\(count) bytes follow the end of the frame"
        case .badSignature: "frame signature does not verify"
        case .invalidPayload(let error): "payload is not valid CBOR: \(error)"
        case .payloadSchemaMismatch(let opcode, let reason): "payload of a \(opcode) frame is malformed: \(reason)"
        }
    }
}
