extension CBOR: ExpressibleByIntegerLiteral {
    /// Creates an integer value from an integer literal.
    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }
}

extension CBOR: ExpressibleByFloatLiteral {
    /// Creates a float value from a floating-point literal.
    public init(floatLiteral value: Double) {
        self = .float(value)
    }
}

extension CBOR: ExpressibleByStringLiteral {
    /// Creates a text string from a string literal.
    public init(stringLiteral value: String) {
        self = .textString(value)
    }
}

extension CBOR: ExpressibleByBooleanLiteral {
    /// Creates `false` or `true` from a Boolean literal.
    public init(booleanLiteral value: Bool) {
        self = .boolean(value)
    }
}

extension CBOR: ExpressibleByNilLiteral {
    /// Creates `null` from `nil`.
    public init(nilLiteral: ()) {
        self = .null
    }
}

extension CBOR: ExpressibleByArrayLiteral {
    /// Creates an array from an array literal.
    public init(arrayLiteral elements: CBOR...) {
        self = .array(elements)
    }
}

extension CBOR: ExpressibleByDictionaryLiteral {
    /// Creates a map from a dictionary literal, keeping the entries in the order they are written.
    public init(dictionaryLiteral elements: (CBOR, CBOR)...) {
        self = .map(elements.map { MapEntry(key: $0.0, value: $0.1) })
    }
}
