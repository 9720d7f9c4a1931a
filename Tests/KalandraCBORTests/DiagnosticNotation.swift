import KalandraCBOR

/// A parser for the part of CBOR diagnostic notation (RFC 8949 §8) used in Appendix A, which also covers JSON, so the
/// Appendix A file is read with it too: JSON numbers keep their integer/float distinction, and integers beyond 64
/// bits become bignums (tags 2 and 3), as RFC 8949 §3.4.3 defines them.
///
/// Supported: integers of any size, floats (with `.` or an exponent), `Infinity`, `-Infinity`, `NaN`, JSON strings,
/// `h'…'`, `[…]`, `{…}`, `true`, `false`, `null`, `undefined`, `simple(n)`, `n(item)` tags, and `(_ …)` indefinite
/// strings, which decode to their concatenation.
struct DiagnosticNotation {
    struct ParseError: Error, CustomStringConvertible {
        var message: String
        var offset: Int
        var description: String { "diagnostic notation: \(message) at offset \(offset)" }
    }

    private let text: [UInt8]
    private var index = 0

    private init(_ text: String) {
        self.text = Array(text.utf8)
    }

    static func parse(_ text: String) throws -> CBOR {
        var parser = DiagnosticNotation(text)
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == parser.text.count else {
            throw parser.error("trailing text")
        }
        return value
    }

    private func error(_ message: String) -> ParseError {
        ParseError(message: message, offset: index)
    }

    private var current: UInt8? { index < text.count ? text[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current,
            [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r")].contains(byte)
        {
            index += 1
        }
    }

    private mutating func expect(_ character: Character) throws {
        skipWhitespace()
        guard let ascii = character.asciiValue, current == ascii else {
            throw error("expected \(character)")
        }
        index += 1
    }

    private mutating func consume(_ word: String) -> Bool {
        let bytes = Array(word.utf8)
        guard text.count - index >= bytes.count, Array(text[index..<(index + bytes.count)]) == bytes else {
            return false
        }
        index += bytes.count
        return true
    }

    private mutating func parseValue() throws -> CBOR {
        skipWhitespace()
        guard let byte = current else {
            throw error("unexpected end")
        }
        switch byte {
        case UInt8(ascii: "["):
            index += 1
            return .array(try parseSequence(closing: "]") { parser in try parser.parseValue() })
        case UInt8(ascii: "{"):
            index += 1
            let entries = try parseSequence(closing: "}") { parser -> CBOR.MapEntry in
                let key = try parser.parseValue()
                try parser.expect(":")
                return CBOR.MapEntry(key: key, value: try parser.parseValue())
            }
            return .map(entries)
        case UInt8(ascii: "\""):
            return .textString(try parseString())
        case UInt8(ascii: "("):
            return try parseIndefiniteString()
        default:
            break
        }
        if consume("h'") {
            return .byteString(try parseHexBytes())
        }
        for (word, value) in [
            ("true", CBOR.boolean(true)), ("false", .boolean(false)), ("null", .null), ("undefined", .undefined),
            ("Infinity", .float(.infinity)), ("-Infinity", .float(-.infinity)), ("NaN", .float(.nan)),
        ] where consume(word) {
            return value
        }
        if consume("simple(") {
            let number = try parseNumber()
            try expect(")")
            guard let simple = number.unsignedIntegerValue, let byte = UInt8(exactly: simple) else {
                throw error("bad simple value")
            }
            return .simple(byte)
        }
        let number = try parseNumber()
        if current == UInt8(ascii: "(") {
            index += 1
            guard let tag = number.unsignedIntegerValue else {
                throw error("bad tag number")
            }
            let content = try parseValue()
            try expect(")")
            return .tagged(tag, content)
        }
        return number
    }

    private mutating func parseSequence<Element>(
        closing: Character,
        element: (inout DiagnosticNotation) throws -> Element
    ) throws -> [Element] {
        var elements: [Element] = []
        skipWhitespace()
        if current == closing.asciiValue {
            index += 1
            return elements
        }
        while true {
            elements.append(try element(&self))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(closing)
            return elements
        }
    }

    /// `(_ chunk, chunk, …)`: all byte strings or all text strings, concatenated.
    private mutating func parseIndefiniteString() throws -> CBOR {
        guard consume("(_") else {
            throw error("expected (_")
        }
        let chunks = try parseSequence(closing: ")") { parser in try parser.parseValue() }
        let texts = chunks.compactMap(\.textStringValue)
        if texts.count == chunks.count {
            return .textString(texts.joined())
        }
        let byteChunks = chunks.compactMap(\.byteStringValue)
        guard byteChunks.count == chunks.count else {
            throw error("mixed chunks")
        }
        return .byteString(byteChunks.flatMap { $0 })
    }

    private mutating func parseHexBytes() throws -> [UInt8] {
        let start = index
        while let byte = current, byte != UInt8(ascii: "'") {
            index += 1
        }
        guard current != nil else {
            throw error("unterminated h''")
        }
        let hex = String(decoding: text[start..<index], as: UTF8.self)
        index += 1
        return TestSupport.bytes(hex)
    }

    /// A JSON string literal, with its escapes.
    private mutating func parseString() throws -> String {
        index += 1
        var bytes: [UInt8] = []
        while true {
            guard let byte = current else {
                throw error("unterminated string")
            }
            index += 1
            if byte == UInt8(ascii: "\"") {
                return String(decoding: bytes, as: UTF8.self)
            }
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                continue
            }
            guard let escape = current else {
                throw error("unterminated escape")
            }
            index += 1
            switch escape {
            case UInt8(ascii: "n"): bytes.append(0x0a)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "r"): bytes.append(0x0d)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0c)
            case UInt8(ascii: "u"):
                var scalar = try parseHexQuad()
                if (0xd800..<0xdc00).contains(scalar) {
                    guard consume("\\u") else {
                        throw error("lone surrogate")
                    }
                    scalar = 0x10000 + ((scalar - 0xd800) << 10) + (try parseHexQuad() - 0xdc00)
                }
                guard let unicode = Unicode.Scalar(scalar) else {
                    throw error("bad \\u escape")
                }
                bytes.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: bytes.append(escape)
            }
        }
    }

    private mutating func parseHexQuad() throws -> UInt32 {
        guard text.count - index >= 4,
            let value = UInt32(String(decoding: text[index..<(index + 4)], as: UTF8.self), radix: 16)
        else {
            throw error("bad \\u escape")
        }
        index += 4
        return value
    }

    /// An integer of any size or a float.
    private mutating func parseNumber() throws -> CBOR {
        let start = index
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "+-.eE".utf8.contains(byte)
        {
            index += 1
        }
        let literal = String(decoding: text[start..<index], as: UTF8.self)
        guard !literal.isEmpty else {
            throw error("expected a value")
        }
        if literal.contains(where: { ".eE".contains($0) }) {
            guard let value = Double(literal) else {
                throw error("bad float \(literal)")
            }
            return .float(value)
        }
        let negative = literal.hasPrefix("-")
        var magnitude: [UInt8] = []  // big-endian base 256, no leading zeros
        for digit in literal.utf8.dropFirst(negative ? 1 : 0) {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else {
                throw error("bad integer \(literal)")
            }
            magnitude = Self.multiplyAdd(magnitude, by: 10, adding: UInt(digit - UInt8(ascii: "0")))
        }
        // A negative integer -m is encoded through its argument m - 1 (RFC 8949 §3.1 and §3.4.3).
        let argument = negative ? Self.subtractOne(magnitude) : magnitude
        if argument.count <= 8 {
            let value = argument.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return negative ? .negativeInteger(value) : .unsignedInteger(value)
        }
        return .tagged(negative ? 3 : 2, .byteString(argument))
    }

    private static func multiplyAdd(_ number: [UInt8], by factor: UInt, adding addend: UInt) -> [UInt8] {
        var result = number
        var carry = addend
        for position in result.indices.reversed() {
            let product = UInt(result[position]) * factor + carry
            result[position] = UInt8(product & 0xff)
            carry = product >> 8
        }
        while carry > 0 {
            result.insert(UInt8(carry & 0xff), at: 0)
            carry >>= 8
        }
        return result
    }

    private static func subtractOne(_ number: [UInt8]) -> [UInt8] {
        var result = number
        for position in result.indices.reversed() {
            if result[position] > 0 {
                result[position] -= 1
                break
            }
            result[position] = 0xff
        }
        return Array(result.drop { $0 == 0 })
    }
}
