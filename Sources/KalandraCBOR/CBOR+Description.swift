extension CBOR: CustomStringConvertible {
    /// RFC 8949 §8 diagnostic notation, for logs and the CLI: `{"kind": "text", "n": 1}`, `h'01ff'`, `24(h'')`.
    public var description: String {
        var output = ""
        appendDiagnostic(to: &output)
        return output
    }

    private func appendDiagnostic(to output: inout String) {
        switch self {
        case .unsignedInteger(let value):
            output += String(value)
        case .negativeInteger(let argument):
            // The value is -1 - argument; for the largest argument, -1 - (2^64 - 1) = -2^64 does not fit any integer.
            output += argument == .max ? "-18446744073709551616" : "-" + String(argument + 1)
        case .byteString(let bytes):
            output += "h'"
            for byte in bytes {
                output += String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
            }
            output += "'"
        case .textString(let text):
            Self.appendQuoted(text, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += ", " }
                element.appendDiagnostic(to: &output)
            }
            output += "]"
        case .map(let entries):
            output += "{"
            for (index, entry) in entries.enumerated() {
                if index > 0 { output += ", " }
                entry.key.appendDiagnostic(to: &output)
                output += ": "
                entry.value.appendDiagnostic(to: &output)
            }
            output += "}"
        case .tagged(let tag, let content):
            output += String(tag) + "("
            content.appendDiagnostic(to: &output)
            output += ")"
        case .simple(let value):
            output += "simple(\(value))"
        case .boolean(let value):
            output += value ? "true" : "false"
        case .null:
            output += "null"
        case .undefined:
            output += "undefined"
        case .float(let value):
            if value.isNaN {
                output += "NaN"
            } else if value.isInfinite {
                output += value < 0 ? "-Infinity" : "Infinity"
            } else {
                // Swift prints the shortest digits that read back as the same Double, always with "." or "e".
                output += value.description
            }
        }
    }

    private static func appendQuoted(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
