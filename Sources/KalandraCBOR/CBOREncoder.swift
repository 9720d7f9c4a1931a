/// Encodes ``CBOR`` values deterministically (RFC 8949 §4.2.1, core deterministic encoding requirements).
///
/// Every argument (integer, length, tag, simple value) uses its shortest form, lengths are always definite,
/// floats use the shortest of half, single and double precision that holds the value exactly (every NaN becomes
/// `f9 7e00`), and map entries are sorted by the bytewise lexicographic order of their encoded keys. Equal
/// values (``CBOR`` `==`) therefore encode to equal bytes.
///
/// Encoding cannot fail. It recurses once per level of nesting of the value, which is bounded by whatever built
/// the value (``CBORDecoder`` bounds it by ``CBORDecoder/Limits/maximumDepth``).
public struct CBOREncoder: Sendable {
    /// The deterministic encoding of `value`.
    public static func encode(_ value: CBOR) -> [UInt8] {
        var output: [UInt8] = []
        encode(value, into: &output)
        return output
    }

    /// Appends the deterministic encoding of `value` to `output`, leaving its existing bytes alone.
    public static func encode(_ value: CBOR, into output: inout [UInt8]) {
        switch value {
        case .unsignedInteger(let argument):
            appendHeader(major: 0, argument: argument, to: &output)
        case .negativeInteger(let argument):
            appendHeader(major: 1, argument: argument, to: &output)
        case .byteString(let bytes):
            appendHeader(major: 2, argument: UInt64(bytes.count), to: &output)
            output.append(contentsOf: bytes)
        case .textString(let text):
            let utf8 = text.utf8
            appendHeader(major: 3, argument: UInt64(utf8.count), to: &output)
            output.append(contentsOf: utf8)
        case .array(let elements):
            appendHeader(major: 4, argument: UInt64(elements.count), to: &output)
            for element in elements {
                encode(element, into: &output)
            }
        case .map(let entries):
            appendHeader(major: 5, argument: UInt64(entries.count), to: &output)
            appendSortedEntries(entries, to: &output)
        case .tagged(let tag, let content):
            appendHeader(major: 6, argument: tag, to: &output)
            encode(content, into: &output)
        case .simple(let simple):
            if simple < 24 {
                output.append(0xe0 | simple)
            } else {
                output.append(0xf8)
                output.append(simple)
            }
        case .boolean(let flag):
            output.append(flag ? 0xf5 : 0xf4)
        case .null:
            output.append(0xf6)
        case .undefined:
            output.append(0xf7)
        case .float(let number):
            appendFloat(number, to: &output)
        }
    }

    /// Appends an initial byte and the shortest argument that holds `argument` (RFC 8949 §4.2.1).
    static func appendHeader(major: UInt8, argument: UInt64, to output: inout [UInt8]) {
        let type = major << 5
        switch argument {
        case 0..<24:
            output.append(type | UInt8(argument))
        case 24...0xff:
            output.append(type | 24)
            output.append(UInt8(argument))
        case 0x100...0xffff:
            output.append(type | 25)
            appendBigEndian(argument, byteCount: 2, to: &output)
        case 0x1_0000...0xffff_ffff:
            output.append(type | 26)
            appendBigEndian(argument, byteCount: 4, to: &output)
        default:
            output.append(type | 27)
            appendBigEndian(argument, byteCount: 8, to: &output)
        }
    }

    /// Appends the low `byteCount` bytes of `value`, most significant first.
    private static func appendBigEndian(_ value: UInt64, byteCount: Int, to output: inout [UInt8]) {
        var shift = (byteCount - 1) * 8
        while shift >= 0 {
            output.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift -= 8
        }
    }

    /// Appends `number` in the shortest exact width, and NaN as the canonical half-precision NaN.
    private static func appendFloat(_ number: Double, to output: inout [UInt8]) {
        if number.isNaN {
            output.append(0xf9)
            appendBigEndian(UInt64(FloatWidth.canonicalHalfNaN), byteCount: 2, to: &output)
        } else if let half = FloatWidth.halfBits(exactly: number) {
            output.append(0xf9)
            appendBigEndian(UInt64(half), byteCount: 2, to: &output)
        } else if let single = FloatWidth.singleBits(exactly: number) {
            output.append(0xfa)
            appendBigEndian(UInt64(single), byteCount: 4, to: &output)
        } else {
            output.append(0xfb)
            appendBigEndian(number.bitPattern, byteCount: 8, to: &output)
        }
    }

    /// Where one encoded entry lies in the output: its key is `keyStart..<keyEnd`, its value `keyEnd..<end`.
    private struct EntrySpan {
        var keyStart: Int
        var keyEnd: Int
        var end: Int
        var index: Int
    }

    /// Appends map entries sorted by the bytewise order of their encoded keys.
    ///
    /// Entries are encoded in place and only moved when they turn out not to be in order already, so maps built
    /// in deterministic order (and every decoded strict map) cost no extra copy.
    private static func appendSortedEntries(_ entries: [CBOR.MapEntry], to output: inout [UInt8]) {
        guard entries.count > 1 else {
            for entry in entries {
                encode(entry.key, into: &output)
                encode(entry.value, into: &output)
            }
            return
        }
        let regionStart = output.count
        var spans: [EntrySpan] = []
        spans.reserveCapacity(entries.count)
        var inOrder = true
        for (index, entry) in entries.enumerated() {
            let keyStart = output.count
            encode(entry.key, into: &output)
            let keyEnd = output.count
            encode(entry.value, into: &output)
            let span = EntrySpan(keyStart: keyStart, keyEnd: keyEnd, end: output.count, index: index)
            if inOrder, let previous = spans.last {
                inOrder = output.withUnsafeBytes { bytes in
                    LexicographicOrder.compare(bytes, previous.keyStart..<previous.keyEnd, keyStart..<keyEnd) < 0
                }
            }
            spans.append(span)
        }
        if inOrder {
            return
        }
        let region = Array(output[regionStart...])
        output.removeSubrange(regionStart...)
        region.withUnsafeBytes { bytes in
            // Ties (duplicate keys) keep their constructed order so the output is still a function of the input.
            spans.sort { left, right in
                let order = LexicographicOrder.compare(
                    bytes,
                    (left.keyStart - regionStart)..<(left.keyEnd - regionStart),
                    (right.keyStart - regionStart)..<(right.keyEnd - regionStart)
                )
                return order != 0 ? order < 0 : left.index < right.index
            }
        }
        for span in spans {
            output.append(contentsOf: region[(span.keyStart - regionStart)..<(span.end - regionStart)])
        }
    }
}
