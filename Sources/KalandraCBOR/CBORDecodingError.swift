/// Why ``CBORDecoder`` rejected its input, and where.
public struct CBORDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong with the input.
    public var kind: Kind
    /// The byte offset, from the start of the input, where the problem was found: the first byte of the data item
    /// (or chunk) at fault, or of the bad byte inside it for ``Kind/invalidUTF8``.
    public var offset: Int

    /// Creates an error of `kind` at byte `offset`.
    public init(kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// The kinds of problem the decoder reports.
    public enum Kind: Sendable, Equatable {
        /// The input ends inside a data item; at least `needed` more bytes are required to complete it.
        case truncated(needed: Int)
        /// A complete data item is followed by `count` more bytes; the input must hold exactly one item.
        case trailingBytes(count: Int)
        /// The additional information (low 5 bits of an initial byte) is one of the reserved values 28...30.
        case reservedAdditionalInformation(UInt8)
        /// An indefinite length on a type that cannot have one (integers, tags, simple values), or a chunk of an
        /// indefinite-length string that is not a definite-length string of the same major type.
        case invalidIndefiniteLength
        /// A break byte (`ff`) where no indefinite-length item is open.
        case unexpectedBreak
        /// A text string that is not well-formed UTF-8.
        case invalidUTF8
        /// A two-byte simple value (`f8 xx`) below 32, which RFC 8949 §3.3 makes not well-formed.
        case invalidSimpleValue
        /// Containers (arrays, maps and tags) are nested deeper than `limit`.
        case depthLimitExceeded(limit: Int)
        /// The input holds more than `limit` data items.
        case itemCountLimitExceeded(limit: Int)
        /// A string of `length` bytes, or an array or map of `length` elements, exceeds `limit`.
        case lengthLimitExceeded(length: UInt64, limit: Int)
        /// A map has two keys that are the same data item.
        case duplicateMapKey
        /// Strict mode: an integer, length or tag argument is not in its shortest form.
        case nonShortestArgument
        /// Strict mode: an indefinite-length string, array or map.
        case indefiniteLengthInStrictMode
        /// Strict mode: map keys are not in bytewise lexicographic order of their encodings.
        case unsortedMapKeys
        /// Strict mode: a float that a narrower width holds exactly.
        case nonShortestFloat
        /// Strict mode: a NaN other than `f9 7e00`.
        case nonCanonicalNaN
    }

    /// A sentence naming the problem and its offset.
    public var description: String {
        "CBOR decoding failed at byte offset \(offset): \(kind)"
    }
}

extension CBORDecodingError.Kind: CustomStringConvertible {
    /// What the problem was, in words.
    public var description: String {
        switch self {
        case .truncated(let needed):
            return "input ends \(needed) byte(s) short of a complete data item"
        case .trailingBytes(let count):
            return "\(count) byte(s) follow the data item"
        case .reservedAdditionalInformation(let value):
            return "reserved additional information \(value)"
        case .invalidIndefiniteLength:
            return "indefinite length not allowed here, or an invalid chunk in an indefinite-length string"
        case .unexpectedBreak:
            return "break byte outside an indefinite-length item"
        case .invalidUTF8:
            return "text string is not valid UTF-8"
        case .invalidSimpleValue:
            return "two-byte simple value below 32"
        case .depthLimitExceeded(let limit):
            return "nesting deeper than the limit of \(limit)"
        case .itemCountLimitExceeded(let limit):
            return "more data items than the limit of \(limit)"
        case .lengthLimitExceeded(let length, let limit):
            return "length \(length) exceeds the limit of \(limit)"
        case .duplicateMapKey:
            return "duplicate map key"
        case .nonShortestArgument:
            return "argument not in shortest form (strict mode)"
        case .indefiniteLengthInStrictMode:
            return "indefinite length (strict mode)"
        case .unsortedMapKeys:
            return "map keys not in bytewise lexicographic order (strict mode)"
        case .nonShortestFloat:
            return "float not in its shortest exact width (strict mode)"
        case .nonCanonicalNaN:
            return "NaN other than f97e00 (strict mode)"
        }
    }
}
