extension CBOR: Equatable {
    /// Whether two values are the same CBOR data item, that is, whether their deterministic encodings are equal.
    ///
    /// Text strings compare by UTF-8 bytes (Swift's `String ==` would equate canonically equivalent strings,
    /// which CBOR treats as different map keys), floats by encoded bits (so all NaNs are equal and `0.0` differs
    /// from `-0.0`), and maps as unordered collections of entries. Simple values 20...23 equal `false`, `true`,
    /// `null` and `undefined`, which is how they encode.
    public static func == (lhs: CBOR, rhs: CBOR) -> Bool {
        switch (lhs, rhs) {
        case (.unsignedInteger(let left), .unsignedInteger(let right)):
            return left == right
        case (.negativeInteger(let left), .negativeInteger(let right)):
            return left == right
        case (.byteString(let left), .byteString(let right)):
            return left == right
        case (.textString(let left), .textString(let right)):
            return left.utf8.count == right.utf8.count && left.utf8.elementsEqual(right.utf8)
        case (.array(let left), .array(let right)):
            return left == right
        case (.map(let left), .map(let right)):
            return mapsEqual(left, right)
        case (.tagged(let leftTag, let left), .tagged(let rightTag, let right)):
            return leftTag == rightTag && left == right
        case (.simple(let left), .simple(let right)):
            return left == right
        case (.boolean(let left), .boolean(let right)):
            return left == right
        case (.null, .null), (.undefined, .undefined):
            return true
        case (.float(let left), .float(let right)):
            // The encoder writes every NaN as f97e00, so NaNs are one data item whatever their payload.
            return left.isNaN ? right.isNaN : left.bitPattern == right.bitPattern
        case (.simple(20...23), _), (_, .simple(20...23)):
            return lhs.withoutSimpleAlias == rhs.withoutSimpleAlias
        default:
            return false
        }
    }

    /// `false`, `true`, `null` or `undefined` for simple values 20...23, and the value itself otherwise.
    private var withoutSimpleAlias: CBOR {
        switch self {
        case .simple(20): return .boolean(false)
        case .simple(21): return .boolean(true)
        case .simple(22): return .null
        case .simple(23): return .undefined
        default: return self
        }
    }

    /// Compares two maps as unordered collections of entries.
    private static func mapsEqual(_ left: [MapEntry], _ right: [MapEntry]) -> Bool {
        guard left.count == right.count else {
            return false
        }
        // Most comparisons are between maps stored in the same (usually deterministic) order.
        if left == right {
            return true
        }
        // Otherwise compare the deterministic encodings, which sort the entries: O(n log n), where matching entries
        // pairwise would be quadratic, compounding at every level of nesting, on hostile input.
        return CBOREncoder.encode(.map(left)) == CBOREncoder.encode(.map(right))
    }
}
