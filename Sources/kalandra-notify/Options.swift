#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--name value` pairs; every option takes a value.
struct Options {
    private var values: [String: String] = [:]

    init(_ arguments: [String]) throws(UsageError) {
        var index = 0
        while index < arguments.count {
            let name = arguments[index]
            guard name.hasPrefix("--"), index + 1 < arguments.count else {
                throw UsageError(message: "expected --option value, found \(name)")
            }
            values[String(name.dropFirst(2))] = arguments[index + 1]
            index += 2
        }
    }

    func string(_ name: String) throws(UsageError) -> String {
        guard let value = values[name] else { throw UsageError(message: "--\(name) is required") }
        return value
    }

    func integer(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = values[name] else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError(message: "--\(name) must be in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}

/// Bad arguments or an unusable file.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
