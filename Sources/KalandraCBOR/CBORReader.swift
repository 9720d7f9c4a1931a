/// The decoding state of one `CBORDecoder.decode` call: a cursor over the input plus the counters that enforce the
/// limits. Recursive descent, one call per nesting level (bounded by the depth limit).
struct CBORReader {
    /// The initial byte and argument of a data item.
    struct Header {
        /// The major type, 0...7.
        var major: UInt8
        /// The additional information, the low five bits of the initial byte; 31 means indefinite length.
        var additional: UInt8
        /// The argument, or 0 for an indefinite length.
        var argument: UInt64
        /// The offset of the initial byte.
        var start: Int

        /// Whether the item has an indefinite length (or, for major type 7, is a break).
        var isIndefinite: Bool { additional == 31 }
    }

    /// The break byte that ends an indefinite-length item.
    private static let breakByte: UInt8 = 0xff
    /// Maps of up to this many scalar keys are checked for duplicates pairwise, others by sorting encoded keys.
    private static let pairwiseDuplicateCheckLimit = 16

    private let bytes: UnsafeRawBufferPointer
    private let limits: CBORDecoder.Limits
    private let strict: Bool
    private var position = 0
    private var itemCount = 0

    init(bytes: UnsafeRawBufferPointer, limits: CBORDecoder.Limits, strict: Bool) {
        self.bytes = bytes
        self.limits = limits
        self.strict = strict
    }

    /// Reads one data item that must fill the whole input.
    mutating func readSingleItem() throws(CBORDecodingError) -> CBOR {
        let value = try readItem(depth: 0)
        guard position == bytes.count else {
            throw CBORDecodingError(kind: .trailingBytes(count: bytes.count - position), offset: position)
        }
        return value
    }

    // MARK: - Items

    /// Reads the data item at the cursor, which is nested inside `depth` containers.
    ///
    /// Each major type is read by its own function so that this one, which is on the stack once per nesting level,
    /// keeps a small frame even in debug builds.
    private mutating func readItem(depth: Int) throws(CBORDecodingError) -> CBOR {
        let header = try readHeader()
        try countItem(at: header.start)
        switch header.major {
        case 0, 1:
            return try readInteger(header)
        case 2:
            return try readByteString(header)
        case 3:
            return try readTextString(header)
        case 4:
            return try readArray(header, depth: depth)
        case 5:
            return try readMap(header, depth: depth)
        case 6:
            return try readTag(header, depth: depth)
        default:
            return try readSimpleOrFloat(header)
        }
    }

    private func readInteger(_ header: Header) throws(CBORDecodingError) -> CBOR {
        try rejectIndefinite(header)
        return header.major == 0 ? .unsignedInteger(header.argument) : .negativeInteger(header.argument)
    }

    private mutating func readByteString(_ header: Header) throws(CBORDecodingError) -> CBOR {
        if header.isIndefinite {
            return .byteString(try readIndefiniteString(header))
        }
        let range = try readPayload(length: header.argument, itemStart: header.start)
        return .byteString([UInt8](UnsafeRawBufferPointer(rebasing: bytes[range])))
    }

    private mutating func readTextString(_ header: Header) throws(CBORDecodingError) -> CBOR {
        if header.isIndefinite {
            // Every chunk was validated on its own (RFC 8949 §3.2.3), so the concatenation is valid too.
            return .textString(String(decoding: try readIndefiniteString(header), as: UTF8.self))
        }
        let range = try readPayload(length: header.argument, itemStart: header.start)
        return .textString(try makeString(range))
    }

    private mutating func readTag(_ header: Header, depth: Int) throws(CBORDecodingError) -> CBOR {
        try rejectIndefinite(header)
        let innerDepth = try enterContainer(header, depth: depth)
        return .tagged(header.argument, try readItem(depth: innerDepth))
    }

    /// Reads an initial byte and its argument, checking that the argument is in shortest form in strict mode.
    private mutating func readHeader() throws(CBORDecodingError) -> Header {
        let start = position
        try require(1, itemStart: start)
        let initial = bytes[position]
        position += 1
        let major = initial >> 5
        let additional = initial & 0x1f
        let argument: UInt64
        switch additional {
        case 0..<24:
            argument = UInt64(additional)
        case 24:
            argument = try readBigEndian(byteCount: 1, itemStart: start)
        case 25:
            argument = try readBigEndian(byteCount: 2, itemStart: start)
        case 26:
            argument = try readBigEndian(byteCount: 4, itemStart: start)
        case 27:
            argument = try readBigEndian(byteCount: 8, itemStart: start)
        case 31:
            argument = 0
        default:
            throw CBORDecodingError(kind: .reservedAdditionalInformation(additional), offset: start)
        }
        // Major type 7 uses additional information 24...27 for simple values and floats, which have their own
        // shortest-form rules.
        if strict && major != 7 && !Self.isShortest(argument, additional: additional) {
            throw CBORDecodingError(kind: .nonShortestArgument, offset: start)
        }
        return Header(major: major, additional: additional, argument: argument, start: start)
    }

    /// Whether `argument`, encoded with `additional`, could not have been encoded in fewer bytes.
    private static func isShortest(_ argument: UInt64, additional: UInt8) -> Bool {
        switch additional {
        case 24: return argument >= 24
        case 25: return argument > 0xff
        case 26: return argument > 0xffff
        case 27: return argument > 0xffff_ffff
        default: return true
        }
    }

    /// Reads a big-endian unsigned integer of `byteCount` (1, 2, 4 or 8) bytes.
    @inline(__always)
    private mutating func readBigEndian(byteCount: Int, itemStart: Int) throws(CBORDecodingError) -> UInt64 {
        try require(byteCount, itemStart: itemStart)
        let value: UInt64
        switch byteCount {
        case 1: value = UInt64(bytes[position])
        case 2: value = UInt64(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt16.self)))
        case 4: value = UInt64(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
        default: value = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        }
        position += byteCount
        return value
    }

    /// Throws `truncated` unless `count` more bytes remain after the cursor.
    @inline(__always)
    private func require(_ count: Int, itemStart: Int) throws(CBORDecodingError) {
        let remaining = bytes.count - position
        if remaining < count {
            throw CBORDecodingError(kind: .truncated(needed: count - remaining), offset: itemStart)
        }
    }

    /// Counts one data item against the item limit.
    @inline(__always)
    private mutating func countItem(at offset: Int) throws(CBORDecodingError) {
        guard itemCount < limits.maximumItemCount else {
            throw CBORDecodingError(kind: .itemCountLimitExceeded(limit: limits.maximumItemCount), offset: offset)
        }
        itemCount += 1
    }

    /// The depth of a container's elements, after checking it against the depth limit.
    private func enterContainer(_ header: Header, depth: Int) throws(CBORDecodingError) -> Int {
        guard depth < limits.maximumDepth else {
            throw CBORDecodingError(kind: .depthLimitExceeded(limit: limits.maximumDepth), offset: header.start)
        }
        return depth + 1
    }

    /// Rejects an indefinite length on a major type that cannot have one.
    private func rejectIndefinite(_ header: Header) throws(CBORDecodingError) {
        if header.isIndefinite {
            throw CBORDecodingError(kind: .invalidIndefiniteLength, offset: header.start)
        }
    }

    /// Rejects an indefinite-length string or container in strict mode.
    private func rejectIndefiniteInStrictMode(_ header: Header) throws(CBORDecodingError) {
        if strict {
            throw CBORDecodingError(kind: .indefiniteLengthInStrictMode, offset: header.start)
        }
    }

    /// Throws `lengthLimitExceeded` when `length` is over the length limit.
    private func checkLength(_ length: UInt64, at offset: Int) throws(CBORDecodingError) {
        if length > UInt64(limits.maximumLength) {
            throw CBORDecodingError(
                kind: .lengthLimitExceeded(length: length, limit: limits.maximumLength),
                offset: offset
            )
        }
    }

    // MARK: - Strings

    /// The range of the `length` bytes after the cursor, which it then skips. The length is checked against the
    /// limit and then against the remaining bytes before it is converted to `Int`, so no length can trap.
    private mutating func readPayload(length: UInt64, itemStart: Int) throws(CBORDecodingError) -> Range<Int> {
        try checkLength(length, at: itemStart)
        // length <= maximumLength <= Int.max, so the conversion is exact.
        let count = Int(length)
        try require(count, itemStart: itemStart)
        let range = position..<(position + count)
        position += count
        return range
    }

    /// The text in `range`, or `invalidUTF8` at the first bad byte.
    ///
    /// Validated by `UTF8Validator` rather than `String(validating:as:)`, which is generic and unspecialized here and
    /// cost a fifth of the decoding time; the `String(decoding:as:)` that follows takes the standard library's fast
    /// contiguous-UTF-8 path and, the bytes being valid, repairs nothing.
    private func makeString(_ range: Range<Int>) throws(CBORDecodingError) -> String {
        if let offset = UTF8Validator.firstInvalidIndex(in: bytes, range: range) {
            throw CBORDecodingError(kind: .invalidUTF8, offset: offset)
        }
        return String(
            decoding: UnsafeRawBufferPointer(rebasing: bytes[range]).assumingMemoryBound(to: UInt8.self),
            as: UTF8.self
        )
    }

    /// The concatenated chunks of an indefinite-length byte or text string (lenient mode only).
    private mutating func readIndefiniteString(_ header: Header) throws(CBORDecodingError) -> [UInt8] {
        try rejectIndefiniteInStrictMode(header)
        var content: [UInt8] = []
        while try !consumeBreak() {
            let chunk = try readHeader()
            try countItem(at: chunk.start)
            guard chunk.major == header.major && !chunk.isIndefinite else {
                throw CBORDecodingError(kind: .invalidIndefiniteLength, offset: chunk.start)
            }
            // content.count <= maximumLength, so the subtraction cannot go negative.
            if chunk.argument > UInt64(limits.maximumLength - content.count) {
                let (total, overflow) = UInt64(content.count).addingReportingOverflow(chunk.argument)
                throw CBORDecodingError(
                    kind: .lengthLimitExceeded(length: overflow ? .max : total, limit: limits.maximumLength),
                    offset: chunk.start
                )
            }
            let range = try readPayload(length: chunk.argument, itemStart: chunk.start)
            if header.major == 3, let offset = UTF8Validator.firstInvalidIndex(in: bytes, range: range) {
                throw CBORDecodingError(kind: .invalidUTF8, offset: offset)
            }
            content.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
        }
        return content
    }

    /// Skips a break byte and returns true if one is at the cursor; throws `truncated` at the end of input,
    /// where an indefinite-length item still needs at least its break.
    private mutating func consumeBreak() throws(CBORDecodingError) -> Bool {
        try require(1, itemStart: position)
        if bytes[position] == Self.breakByte {
            position += 1
            return true
        }
        return false
    }

    // MARK: - Containers

    /// Reads an array nested inside `depth` containers.
    private mutating func readArray(_ header: Header, depth: Int) throws(CBORDecodingError) -> CBOR {
        let elementDepth = try enterContainer(header, depth: depth)
        var elements: [CBOR] = []
        if header.isIndefinite {
            try rejectIndefiniteInStrictMode(header)
            while try !consumeBreak() {
                try checkLength(UInt64(elements.count) + 1, at: position)
                elements.append(try readItem(depth: elementDepth))
            }
            return .array(elements)
        }
        let count = try checkCount(header, itemsPerElement: 1)
        // Every element takes at least one byte, so the remaining input caps what a lying count can reserve.
        elements.reserveCapacity(min(count, bytes.count - position))
        for _ in 0..<count {
            elements.append(try readItem(depth: elementDepth))
        }
        return .array(elements)
    }

    /// The element count of a definite-length array or map, checked against the length and item limits, which also
    /// makes its conversion to `Int` exact.
    private func checkCount(_ header: Header, itemsPerElement: UInt64) throws(CBORDecodingError) -> Int {
        try checkLength(header.argument, at: header.start)
        // Fails early, before reading any element, when the container declares more items than the limit has left.
        let itemsLeft = UInt64(limits.maximumItemCount - itemCount)
        if header.argument > itemsLeft / itemsPerElement {
            throw CBORDecodingError(kind: .itemCountLimitExceeded(limit: limits.maximumItemCount), offset: header.start)
        }
        return Int(header.argument)
    }

    /// Reads a map nested inside `depth` containers, checking for duplicate keys and, in strict mode, key order.
    private mutating func readMap(_ header: Header, depth: Int) throws(CBORDecodingError) -> CBOR {
        let entryDepth = try enterContainer(header, depth: depth)
        if strict {
            return .map(try readStrictMap(header, depth: entryDepth))
        }
        var entries: [CBOR.MapEntry] = []
        // Duplicates are found after the whole map is read, and reporting one needs the offsets of the keys.
        var keyOffsets: [Int] = []
        if header.isIndefinite {
            while try !consumeBreak() {
                try checkLength(UInt64(entries.count) + 1, at: position)
                keyOffsets.append(position)
                entries.append(try readEntry(depth: entryDepth))
            }
        } else {
            let count = try checkCount(header, itemsPerElement: 2)
            // Every entry takes at least two bytes, so the remaining input caps what a lying count can reserve.
            let capacity = min(count, (bytes.count - position) / 2)
            entries.reserveCapacity(capacity)
            keyOffsets.reserveCapacity(capacity)
            for _ in 0..<count {
                keyOffsets.append(position)
                entries.append(try readEntry(depth: entryDepth))
            }
        }
        if let duplicate = Self.indexOfDuplicateKey(in: entries) {
            throw CBORDecodingError(kind: .duplicateMapKey, offset: keyOffsets[duplicate])
        }
        return .map(entries)
    }

    /// Reads a definite-length map whose keys must be in strictly increasing bytewise order.
    ///
    /// Strict input is deterministic, so two keys are the same data item exactly when their bytes are equal, and
    /// both order and duplicates are checked on the raw bytes without re-encoding anything.
    private mutating func readStrictMap(_ header: Header, depth: Int) throws(CBORDecodingError) -> [CBOR.MapEntry] {
        if header.isIndefinite {
            throw CBORDecodingError(kind: .indefiniteLengthInStrictMode, offset: header.start)
        }
        let count = try checkCount(header, itemsPerElement: 2)
        var entries: [CBOR.MapEntry] = []
        entries.reserveCapacity(min(count, (bytes.count - position) / 2))
        var previousKey = 0..<0
        for index in 0..<count {
            let keyStart = position
            let key = try readItem(depth: depth)
            let keyRange = keyStart..<position
            if index > 0 {
                let order = LexicographicOrder.compare(bytes, previousKey, keyRange)
                if order >= 0 {
                    throw CBORDecodingError(kind: order == 0 ? .duplicateMapKey : .unsortedMapKeys, offset: keyStart)
                }
            }
            previousKey = keyRange
            entries.append(CBOR.MapEntry(key: key, value: try readItem(depth: depth)))
        }
        return entries
    }

    /// Reads one key and its value.
    private mutating func readEntry(depth: Int) throws(CBORDecodingError) -> CBOR.MapEntry {
        let key = try readItem(depth: depth)
        return CBOR.MapEntry(key: key, value: try readItem(depth: depth))
    }

    /// The index of an entry whose key equals an earlier entry's key, or `nil` if all keys differ.
    ///
    /// Keys decoded leniently may be encoded differently yet be the same data item (`01` and `18 01`), so they are
    /// compared as values: pairwise for a few scalar keys, and otherwise by sorting their deterministic encodings,
    /// which keeps the cost at O(n log n) for hostile inputs (many keys, or large container keys).
    private static func indexOfDuplicateKey(in entries: [CBOR.MapEntry]) -> Int? {
        if entries.count <= pairwiseDuplicateCheckLimit && entries.allSatisfy({ isScalar($0.key) }) {
            for later in entries.indices {
                for earlier in 0..<later where entries[earlier].key == entries[later].key {
                    return later
                }
            }
            return nil
        }
        var encoded: [UInt8] = []
        var keys: [(range: Range<Int>, index: Int)] = []
        keys.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            let start = encoded.count
            CBOREncoder.encode(entry.key, into: &encoded)
            keys.append((start..<encoded.count, index))
        }
        return encoded.withUnsafeBytes { buffer -> Int? in
            keys.sort { left, right in
                let order = LexicographicOrder.compare(buffer, left.range, right.range)
                return order != 0 ? order < 0 : left.index < right.index
            }
            var duplicate: Int? = nil
            for position in keys.indices.dropFirst()
            where LexicographicOrder.compare(buffer, keys[position - 1].range, keys[position].range) == 0 {
                // Of each run of equal keys, report the one the input reaches first after the original.
                duplicate = min(duplicate ?? .max, keys[position].index)
            }
            return duplicate
        }
    }

    /// Whether `value` is not a container, so comparing it costs at most its length.
    private static func isScalar(_ value: CBOR) -> Bool {
        switch value {
        case .array, .map, .tagged: return false
        default: return true
        }
    }

    // MARK: - Major type 7

    /// Reads a simple value, float or (misplaced) break.
    private mutating func readSimpleOrFloat(_ header: Header) throws(CBORDecodingError) -> CBOR {
        switch header.additional {
        case 20:
            return .boolean(false)
        case 21:
            return .boolean(true)
        case 22:
            return .null
        case 23:
            return .undefined
        case 24:
            // RFC 8949 §3.3: the two-byte form of a value below 32 is not well-formed.
            guard header.argument >= 32 else {
                throw CBORDecodingError(kind: .invalidSimpleValue, offset: header.start)
            }
            return .simple(UInt8(header.argument))
        case 25:
            let bits = UInt16(header.argument)
            if strict && FloatWidth.isHalfNaN(bits) && bits != FloatWidth.canonicalHalfNaN {
                throw CBORDecodingError(kind: .nonCanonicalNaN, offset: header.start)
            }
            return .float(FloatWidth.double(fromHalfBits: bits))
        case 26:
            let value = Double(Float(bitPattern: UInt32(header.argument)))
            if strict {
                try checkShortest(value, narrower: FloatWidth.halfBits(exactly: value) != nil, at: header.start)
            }
            return .float(value)
        case 27:
            let value = Double(bitPattern: header.argument)
            if strict {
                try checkShortest(value, narrower: FloatWidth.singleBits(exactly: value) != nil, at: header.start)
            }
            return .float(value)
        case 31:
            throw CBORDecodingError(kind: .unexpectedBreak, offset: header.start)
        default:
            // 0...19: unassigned simple values, which are well-formed.
            return .simple(header.additional)
        }
    }

    /// Strict mode: rejects a NaN (only f97e00 is deterministic) or a float that fits a narrower width.
    private func checkShortest(_ value: Double, narrower: Bool, at offset: Int) throws(CBORDecodingError) {
        if value.isNaN {
            throw CBORDecodingError(kind: .nonCanonicalNaN, offset: offset)
        }
        if narrower {
            throw CBORDecodingError(kind: .nonShortestFloat, offset: offset)
        }
    }
}
