/// Decodes one CBOR data item (RFC 8949) from bytes, within limits, reporting bad input as ``CBORDecodingError``.
///
/// In ``Mode/strict`` mode (the default) it accepts only what ``CBOREncoder`` produces: the core deterministic
/// encoding of RFC 8949 §4.2.1. In ``Mode/lenient`` mode it accepts all well-formed CBOR, including indefinite
/// lengths and non-shortest forms. Both modes reject duplicate map keys and invalid UTF-8, and never trap on
/// any input: every length is checked against the bytes that remain before it is used.
///
/// Tags are not interpreted (their content is not checked), so bignums are `.tagged(2 or 3, .byteString(…))`.
public struct CBORDecoder: Sendable {
    /// Which encodings the decoder accepts.
    public enum Mode: Sendable {
        /// Only the deterministic encoding that ``CBOREncoder`` produces.
        case strict
        /// Any well-formed CBOR.
        case lenient
    }

    /// The limits each `decode` call enforces.
    public let limits: Limits
    /// Whether non-deterministic encodings are rejected.
    public let mode: Mode

    /// Creates a decoder. Traps if a limit is negative or the depth exceeds ``Limits/maximumSupportedDepth``:
    /// those are programming errors, not properties of the input.
    public init(limits: Limits = .default, mode: Mode = .strict) {
        precondition(
            limits.maximumDepth >= 0 && limits.maximumDepth <= Limits.maximumSupportedDepth,
            "CBORDecoder.Limits.maximumDepth must be in 0...\(Limits.maximumSupportedDepth)"
        )
        precondition(limits.maximumItemCount >= 0, "CBORDecoder.Limits.maximumItemCount must not be negative")
        precondition(limits.maximumLength >= 0, "CBORDecoder.Limits.maximumLength must not be negative")
        self.limits = limits
        self.mode = mode
    }

    /// Decodes exactly one data item that fills `bytes`; offsets in errors count from the start of `bytes`.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(CBORDecodingError) -> CBOR {
        var reader = CBORReader(bytes: bytes, limits: limits, strict: mode == .strict)
        return try reader.readSingleItem()
    }

    /// Decodes exactly one data item that fills `bytes`; offsets in errors count from the start of `bytes`.
    public func decode(_ bytes: [UInt8]) throws(CBORDecodingError) -> CBOR {
        // withUnsafeBytes rethrows untyped errors, so the typed error travels out in a Result.
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(CBORDecodingError) in try decode(buffer) }
        }.get()
    }

    /// Decodes exactly one data item that fills `bytes`; offsets in errors count from `bytes.startIndex`, not from
    /// the start of the array the slice belongs to.
    public func decode(_ bytes: ArraySlice<UInt8>) throws(CBORDecodingError) -> CBOR {
        // withUnsafeBytes rethrows untyped errors, so the typed error travels out in a Result.
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(CBORDecodingError) in try decode(buffer) }
        }.get()
    }
}
