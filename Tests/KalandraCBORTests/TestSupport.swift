import Foundation
import KalandraCBOR

/// Helpers shared by the CBOR tests.
enum TestSupport {
    /// The test target's Resources folder, found from this file's path so tests need no bundle lookup.
    static let resourcesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Resources")

    static let strict = CBORDecoder()
    static let lenient = CBORDecoder(mode: .lenient)

    /// The bytes spelled by `hex` (pairs of hex digits, spaces ignored); traps on malformed test data.
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8).filter { $0 != UInt8(ascii: " ") }
        precondition(digits.count % 2 == 0, "odd number of hex digits in \(hex)")
        return stride(from: 0, to: digits.count, by: 2).map { index in
            UInt8(nibble(digits[index]) << 4 | nibble(digits[index + 1]))
        }
    }

    /// Lower-case hex of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            result.append(digits[Int(byte >> 4)])
            result.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: result, as: UTF8.self)
    }

    private static func nibble(_ digit: UInt8) -> UInt8 {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: preconditionFailure("not a hex digit: \(digit)")
        }
    }

    /// The error that decoding `hex` throws, or `nil` if it decodes.
    static func decodingError(_ hex: String, with decoder: CBORDecoder = strict) -> CBORDecodingError? {
        do {
            _ = try decoder.decode(bytes(hex))
            return nil
        } catch {
            return error
        }
    }

    /// Whether every map inside `value` stores its entries in strictly increasing bytewise order of encoded keys.
    static func mapsAreSorted(_ value: CBOR) -> Bool {
        switch value {
        case .array(let elements):
            return elements.allSatisfy(mapsAreSorted)
        case .map(let entries):
            let keys = entries.map { CBOREncoder.encode($0.key) }
            let ordered = zip(keys, keys.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) }
            return ordered && entries.allSatisfy { mapsAreSorted($0.key) && mapsAreSorted($0.value) }
        case .tagged(_, let content):
            return mapsAreSorted(content)
        default:
            return true
        }
    }
}
