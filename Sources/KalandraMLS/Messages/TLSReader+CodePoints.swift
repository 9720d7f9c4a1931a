extension TLSReader {
    /// Reads the `uint8` code point of a closed RFC 9420 enum (one whose value selects what follows, or that the RFC
    /// defines without an extension registry), refusing values the enum does not define.
    mutating func readCodePoint<T: RawRepresentable>(
        _ type: T.Type,
        named name: String
    ) throws(MLSError) -> T where T.RawValue == UInt8 {
        let start = position
        let raw = try readUInt8()
        guard let value = T(rawValue: raw) else {
            throw MLSError(.invalidValue("unknown \(name) \(raw)"), context: "at byte \(start)")
        }
        return value
    }
}
