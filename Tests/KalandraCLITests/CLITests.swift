import Foundation
import Testing

/// Runs the built `kalandra` executable as a user would (it is built beside the test binary by `swift build`).
@Suite struct CLITests {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [directory, directory.deletingLastPathComponent()].map {
            $0.appendingPathComponent("kalandra")
        }
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CLIMissing(searched: candidates.map(\.path))
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    struct CLIMissing: Error, CustomStringConvertible {
        let searched: [String]
        var description: String { "kalandra executable not found in \(searched); run swift build first" }
    }

    @Test func demoRoundTripsAndRefusesBadInput() throws {
        let (status, output) = try Self.run(["demo", "--frames", "200", "--seed", "3"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("untouched frame           verifies"))
        #expect(output.contains("sequence byte flipped     refused: frame signature does not verify"))
        #expect(output.contains("payload byte flipped      refused: frame signature does not verify"))
        #expect(output.contains("first 100 bytes only      refused: frame truncated: 28 more bytes needed"))
        #expect(output.contains("opcode 0x7f01             refused: unknown opcode 0x7f01"))
        #expect(output.contains("round trip of 200 frames"))
        #expect(!output.contains("accepted (unexpected)"))
    }

    @Test func demoReplaysItsSeed() throws {
        let first = try Self.run(["demo", "--frames", "1", "--seed", "9"]).output
        let second = try Self.run(["demo", "--frames", "1", "--seed", "9"]).output
        let keyLine = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("device key") } }
        #expect(keyLine(first) != nil)
        #expect(keyLine(first) == keyLine(second))
    }

    @Test func demoValidatesItsArguments() throws {
        let (status, output) = try Self.run(["demo", "--frames", "0"])
        #expect(status != 0)
        #expect(output.contains("--frames must be in 1...1000000"))
    }

    @Test func decodeFramePrintsFieldsOrTheError() throws {
        // A ping frame (header only payload: empty map a0), as docs/PROTOCOL.md lays it out, unsigned.
        var header = "53554e44" + "01" + "00" + "0003" + String(repeating: "00", count: 16) + "000000000000002a"
        header += "0000000000000005" + "0000000000000000" + "000000000001" + "0000" + "00000007" + "00000001"
        let frame = header + String(repeating: "00", count: 64) + "a0"
        let (status, output) = try Self.run(["decode-frame", frame])
        #expect(status == 0, "\(output)")
        #expect(output.contains("opcode ping"))
        #expect(output.contains("sender 000000000000002a epoch 5 sequence 0 message 7"))
        #expect(output.contains("payload {}"))

        let (badStatus, badOutput) = try Self.run(["decode-frame", "5355"])
        #expect(badStatus == 2)
        #expect(badOutput.contains("refused: frame truncated: 126 more bytes needed"))
        let (hexStatus, _) = try Self.run(["decode-frame", "xyz"])
        #expect(hexStatus != 0)
    }

    /// The MLS test vectors of the KalandraMLS tests.
    static let vectorDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("KalandraMLSTests/Vectors")

    @Test func mlsVectorsRunsEveryFile() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.vectorDirectory.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        #expect(files.count == 15)
        let (status, output) = try Self.run(
            ["mls-vectors"] + files.map { Self.vectorDirectory.appendingPathComponent($0).path }
        )
        let lines = output.split(separator: "\n")
        #expect(status == 0, "\(output)")
        #expect(lines.count == 16, "\(output)")
        #expect(lines.last == "422 passed, 0 failed, 220 skipped")
        let words = lines.map {
            $0.split(separator: " ").map { $0.hasSuffix(".json") ? ($0.split(separator: "/").last ?? $0) : $0 }
        }
        #expect(words.contains(["tree-math.json", "tree-math", "10", "passed,", "0", "failed,", "0", "skipped"]))
        #expect(
            words.contains(["crypto-basics.json", "crypto-basics", "2", "passed,", "0", "failed,", "5", "skipped"])
        )
        #expect(words.contains(["messages.json", "messages", "300", "passed,", "0", "failed,", "0", "skipped"]))
    }

    @Test func mlsVectorsReportsCorruptedAndUnreadableFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kalandra-cli-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // psk_secret.json with the first hex digit of suite 1's first expected psk_secret changed.
        var text = String(
            decoding: try Data(contentsOf: Self.vectorDirectory.appendingPathComponent("psk_secret.json")),
            as: UTF8.self
        )
        let value = try #require(text.range(of: "\"psk_secret\": \"")).upperBound
        text.replaceSubrange(value...value, with: text[value] == "0" ? "1" : "0")
        let corrupted = directory.appendingPathComponent("psk_secret.json")
        try Data(text.utf8).write(to: corrupted)
        let unknown = directory.appendingPathComponent("unknown.json")
        try Data(#"[{"foo": 1}]"#.utf8).write(to: unknown)

        let (status, output) = try Self.run(["mls-vectors", corrupted.path])
        #expect(status == 1, "\(output)")
        #expect(output.hasPrefix("\(corrupted.path)  psk_secret          21 passed, 1 failed, 55 skipped\n"))
        #expect(output.contains("entry 0 (suite 1): psk_secret (0 PSKs) differs"), "\(output)")
        #expect(output.hasSuffix("21 passed, 1 failed, 55 skipped\n"))

        let (unknownStatus, unknownOutput) = try Self.run(["mls-vectors", unknown.path, "/nonexistent.json"])
        #expect(unknownStatus == 1)
        #expect(unknownOutput.contains("error  unrecognised format: the first entry's keys (foo) match no format"))
        #expect(unknownOutput.contains("error  cannot read /nonexistent.json"))
        #expect(unknownOutput.hasSuffix("0 passed, 2 failed, 0 skipped\n"))
    }
}
