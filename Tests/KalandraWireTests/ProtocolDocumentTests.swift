import Foundation
import KalandraWire
import Testing

/// docs/PROTOCOL.md is the specification; these tests keep it and the code from drifting apart.
@Suite struct ProtocolDocumentTests {
    static let document: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)) ?? ""
    }()

    /// Rows of the opcode table: `| 0x0201 | applicationMessage | ...`.
    @Test func opcodeTableMatchesTheCode() {
        var documented: [UInt16: String] = [:]
        for line in Self.document.split(separator: "\n") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, cells[0].hasPrefix("0x"), let value = UInt16(cells[0].dropFirst(2), radix: 16)
            else { continue }
            documented[value] = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
        }
        #expect(!documented.isEmpty, "docs/PROTOCOL.md has no opcode table")
        let code = Dictionary(uniqueKeysWithValues: Opcode.allCases.map { ($0.rawValue, $0.description) })
        #expect(documented == code)
    }

    /// Rows of the header table: `| 24 | 8 | sender | ...`.
    @Test func headerTableMatchesTheLayout() {
        var offsets: [Int] = []
        for line in Self.document.split(separator: "\n") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3, let offset = Int(cells[0]), Int(cells[1]) != nil else { continue }
            offsets.append(offset)
        }
        typealias L = FrameHeader.Layout
        #expect(
            offsets == [
                L.magic, L.version, L.flags, L.opcode, L.roomID, L.senderID, L.epoch, L.sequence, L.timestamp,
                L.reserved, L.messageID, L.payloadLength, L.signature,
            ]
        )
    }
}
