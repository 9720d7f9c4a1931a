import Foundation
import KalandraCore

/// Loads the MLS working group's test vectors (RFC 9420 interop repository, copied into ../Vectors byte for byte)
/// into `Decodable` structs. JSON keys are snake_case; hex strings decode into `[UInt8]` through `@HexEncoded`.
enum VectorLoader {
    /// The Vectors folder beside this test target's sources, found from this file's path so that a fresh clone
    /// works without resources or a shared folder.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Vectors")

    /// The contents of `fileName` decoded as `T`.
    static func load<T: Decodable>(_ type: T.Type, from fileName: String) throws -> T {
        let data = try Data(contentsOf: directory.appendingPathComponent(fileName))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(T.self, from: data)
    }
}

/// A field holding hex-encoded binary data in the vectors; the property itself is `[UInt8]`.
@propertyWrapper
struct HexEncoded: Decodable, Sendable {
    var wrappedValue: [UInt8]

    init(wrappedValue: [UInt8]) { self.wrappedValue = wrappedValue }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let bytes = Hex.decode(text) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not hex: \(text.prefix(40))")
            )
        }
        wrappedValue = bytes
    }
}
