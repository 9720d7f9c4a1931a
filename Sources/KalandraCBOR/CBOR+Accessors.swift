extension CBOR {
    /// The value of an unsigned integer, or `nil` for anything else.
    public var unsignedIntegerValue: UInt64? {
        if case .unsignedInteger(let value) = self {
            return value
        }
        return nil
    }

    /// The value of an unsigned or negative integer that fits in `Int64`, or `nil` otherwise.
    public var int64Value: Int64? {
        switch self {
        case .unsignedInteger(let value):
            return value <= UInt64(Int64.max) ? Int64(value) : nil
        case .negativeInteger(let argument):
            // -1 - argument is the complement of argument; it fits exactly when argument fits.
            return argument <= UInt64(Int64.max) ? ~Int64(argument) : nil
        default:
            return nil
        }
    }

    /// The bytes of a byte string, or `nil` for anything else.
    public var byteStringValue: [UInt8]? {
        if case .byteString(let value) = self {
            return value
        }
        return nil
    }

    /// The text of a text string, or `nil` for anything else.
    public var textStringValue: String? {
        if case .textString(let value) = self {
            return value
        }
        return nil
    }

    /// The elements of an array, or `nil` for anything else.
    public var arrayValue: [CBOR]? {
        if case .array(let value) = self {
            return value
        }
        return nil
    }

    /// The entries of a map, in stored order, or `nil` for anything else.
    public var mapValue: [MapEntry]? {
        if case .map(let value) = self {
            return value
        }
        return nil
    }

    /// The value of `false` or `true`, or `nil` for anything else.
    public var boolValue: Bool? {
        if case .boolean(let value) = self {
            return value
        }
        return nil
    }

    /// The value of a float, or `nil` for anything else (integers are not converted).
    public var floatValue: Double? {
        if case .float(let value) = self {
            return value
        }
        return nil
    }

    /// The tag number and content of a tagged item, or `nil` for anything else.
    public var taggedValue: (tag: UInt64, content: CBOR)? {
        if case .tagged(let tag, let content) = self {
            return (tag, content)
        }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self {
            return true
        }
        return false
    }

    /// The value of the first entry whose key equals `key` (by ``CBOR`` equality), or `nil` when there is no such
    /// entry or this is not a map. Linear in the number of entries.
    public subscript(key: CBOR) -> CBOR? {
        guard case .map(let entries) = self else {
            return nil
        }
        for entry in entries where entry.key == key {
            return entry.value
        }
        return nil
    }
}
