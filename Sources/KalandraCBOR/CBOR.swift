/// A CBOR data item (RFC 8949), as an in-memory value.
///
/// `CBOR` models the CBOR data model rather than its byte encoding: a value has exactly one deterministic
/// encoding (see ``CBOREncoder``), and two values are equal (`==`) exactly when those encodings are equal.
/// That makes equality differ from Swift's defaults in three places, on purpose:
/// - text strings compare by their UTF-8 bytes, not by Unicode canonical equivalence;
/// - floats compare by their encoded bits: every NaN equals every other NaN, and `0.0 != -0.0`;
/// - maps compare as unordered collections of entries, whatever order their entries are stored in.
///
/// Semantic tags (bignums, dates, …) are not interpreted: a bignum is `.tagged(2, .byteString(…))`.
public enum CBOR: Sendable {
    /// An unsigned integer `n` (major type 0).
    case unsignedInteger(UInt64)
    /// The negative integer `-1 - n` (major type 1); the payload is `n`, the encoded argument.
    case negativeInteger(UInt64)
    /// A byte string (major type 2). Indefinite-length byte strings decode to their concatenated chunks.
    case byteString([UInt8])
    /// A text string (major type 3), always valid UTF-8. Indefinite-length text strings decode concatenated.
    case textString(String)
    /// An array (major type 4).
    case array([CBOR])
    /// A map (major type 5), with its entries in the order they were decoded or constructed.
    ///
    /// The encoder sorts entries into deterministic order; it does not remove or reject duplicate keys, so a
    /// map constructed with duplicate keys encodes to bytes that ``CBORDecoder`` rejects.
    case map([CBOR.MapEntry])
    /// A data item with a tag number (major type 6).
    indirect case tagged(UInt64, CBOR)
    /// A simple value other than `false`, `true`, `null` and `undefined` (major type 7).
    ///
    /// Valid payloads are `0...19` and `32...255`. The encoder writes `20...23` as the one-byte forms of
    /// `false`, `true`, `null` and `undefined` (which is what those simple values are), and `24...31` in the
    /// two-byte form that is not well-formed CBOR and that decoders reject: do not construct those.
    case simple(UInt8)
    /// `false` or `true` (simple values 20 and 21).
    case boolean(Bool)
    /// `null` (simple value 22).
    case null
    /// `undefined` (simple value 23).
    case undefined
    /// A floating-point number of any width; the encoder writes the shortest of half, single and double
    /// precision that holds the value exactly, and every NaN as the half-precision quiet NaN `f9 7e00`.
    case float(Double)
}

extension CBOR {
    /// The integer `value`, as `.unsignedInteger` when it is non-negative and `.negativeInteger` otherwise.
    public static func integer(_ value: Int64) -> CBOR {
        if value >= 0 {
            return .unsignedInteger(UInt64(value))
        }
        // -1 - value is the bitwise complement in two's complement, and cannot overflow for Int64.min.
        return .negativeInteger(UInt64(bitPattern: ~value))
    }
}
