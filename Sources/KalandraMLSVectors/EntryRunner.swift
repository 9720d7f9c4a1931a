import KalandraCore
import KalandraCrypto
import KalandraMLS

/// The runner of one vector format: how to read an entry's suite and check the entry.
protocol EntryRunner {
    /// One element of the file's array, decoded with snake_case keys converted to camelCase.
    associatedtype Entry: Decodable

    /// The entry's cipher suite; `nil` for suite-independent formats.
    static func cipherSuite(of entry: Entry) -> UInt16?
    /// A short description of the entry for reports, if the format has a useful one.
    static func summary(of entry: Entry) -> String?
    /// Checks every field of `entry`, recording mismatches in `check`; returns how many items were checked.
    static func check(_ entry: Entry, _ check: inout EntryCheck) throws(EntryFailure) -> Int
}

extension EntryRunner {
    static func summary(of entry: Entry) -> String? { nil }
}

/// A check of one entry that could not go on: a step threw or a required value was missing.
struct EntryFailure: Error, Sendable {
    let message: String

    init(_ message: String) { self.message = message }
}

/// The checks of one entry: the suite's provider, and every mismatch found so far.
struct EntryCheck {
    /// At most this many mismatches are kept in an entry's message.
    static let messageCountLimit = 5

    private let suiteProvider: (any CipherSuiteProvider)?
    private(set) var failures: [String] = []
    private var failureCount = 0

    private init(provider: (any CipherSuiteProvider)?) { suiteProvider = provider }

    /// A check for an entry of `suite` (nil: suite-independent), or the outcome when the entry is not run: skipped
    /// for a suite not implemented here (whose provider must be refused), failed if the suite table disagrees.
    static func forSuite(_ suite: UInt16?) -> Preparation {
        guard let suite else { return .run(EntryCheck(provider: nil)) }
        let cipherSuite = CipherSuite(rawValue: suite)
        guard CipherSuite.supported.contains(cipherSuite) else {
            do {
                _ = try cipherSuite.provider()
                return .done(.failed("cipher suite \(suite) is not listed as supported but has a provider"))
            } catch  where error.kind == .unsupportedCipherSuite(suite) {
                return .done(.skipped("unsupported cipher suite \(suite)"))
            } catch {
                return .done(.failed("cipher suite \(suite): \(error), not unsupportedCipherSuite"))
            }
        }
        do {
            return .run(EntryCheck(provider: try cipherSuite.provider()))
        } catch {
            return .done(.failed("cipher suite \(suite) is listed as supported but: \(error)"))
        }
    }

    /// Whether an entry is to be checked, or already has its outcome.
    enum Preparation {
        case run(EntryCheck)
        case done(VectorOutcome)
    }

    /// The entry's provider; only suite-independent formats have none.
    func provider() throws(EntryFailure) -> any CipherSuiteProvider {
        guard let suiteProvider else { throw EntryFailure("the entry has no cipher suite") }
        return suiteProvider
    }

    /// Passed when nothing was recorded; otherwise failed with the first few messages.
    var outcome: VectorOutcome {
        guard !failures.isEmpty else { return .passed }
        let more = failureCount - failures.count
        return .failed(failures.joined(separator: "; ") + (more > 0 ? "; and \(more) more" : ""))
    }

    /// Records a failure.
    mutating func record(_ message: String) {
        failureCount += 1
        if failures.count < Self.messageCountLimit { failures.append(message) }
    }

    /// Records `message` unless `condition` holds.
    mutating func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { record(message()) }
    }

    /// Records "`field` differs" unless the values are equal.
    mutating func expectEqual<Value: Equatable>(_ actual: Value, _ expected: Value, _ field: @autoclosure () -> String)
    {
        if actual != expected { record("\(field()) differs") }
    }

    /// Records "`field` differs" unless the secret equals `expected` (compared in constant time); a missing
    /// (already dropped) secret differs.
    mutating func expectSecret(_ actual: SecretBytes?, _ expected: [UInt8], _ field: @autoclosure () -> String) {
        if actual != SecretBytes(copying: expected) { record("\(field()) differs") }
    }

    /// Records a failure unless `body` throws an `MLSError` of `kind`.
    mutating func expectError(_ kind: MLSError.Kind, _ what: String, _ body: () throws -> Void) {
        do {
            try body()
            record("\(what): accepted, expected \(kind)")
        } catch let error as MLSError {
            if error.kind != kind { record("\(what): \(error), expected \(kind)") }
        } catch {
            record("\(what): \(error), expected MLSError \(kind)")
        }
    }
}

/// Runs `body`, turning any error into an `EntryFailure` that names the step.
@discardableResult
func step<Value>(_ what: @autoclosure () -> String, _ body: () throws -> Value) throws(EntryFailure) -> Value {
    do {
        return try body()
    } catch {
        throw EntryFailure("\(what()): \(error)")
    }
}

/// `value`, or an `EntryFailure` saying what was missing.
func require<Value>(_ value: Value?, _ what: @autoclosure () -> String) throws(EntryFailure) -> Value {
    guard let value else { throw EntryFailure(what()) }
    return value
}

/// An array element that decodes on its own, so one bad entry fails alone instead of failing the file.
struct DecodedEntry<Entry: Decodable>: Decodable {
    let result: Result<Entry, EntryFailure>

    init(from decoder: any Decoder) throws {
        do {
            result = .success(try Entry(from: decoder))
        } catch {
            result = .failure(EntryFailure("entry does not decode: \(VectorRunner.describe(error))"))
        }
    }
}

/// A field holding hex-encoded binary data in the vectors; the property itself is `[UInt8]`.
@propertyWrapper
public struct HexBytes: Decodable, Sendable, Equatable {
    /// The decoded bytes.
    public var wrappedValue: [UInt8]

    /// Wraps `wrappedValue`.
    public init(wrappedValue: [UInt8]) { self.wrappedValue = wrappedValue }

    /// Decodes a hex string; anything else is a `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let bytes = Hex.decode(text) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not hex: \(text.prefix(40))")
            )
        }
        wrappedValue = bytes
    }
}

/// A hex string inside a JSON array (where a property wrapper cannot go), decoded to bytes.
struct HexElement: Decodable {
    let bytes: [UInt8]

    init(from decoder: any Decoder) throws { bytes = try HexBytes(from: decoder).wrappedValue }
}
