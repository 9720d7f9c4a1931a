extension CBOR {
    /// One key/value pair of a CBOR map.
    public struct MapEntry: Sendable, Equatable {
        /// The entry's key; any CBOR value can be a key.
        public var key: CBOR
        /// The entry's value.
        public var value: CBOR

        /// Creates a map entry from a key and a value.
        public init(key: CBOR, value: CBOR) {
            self.key = key
            self.value = value
        }
    }
}
