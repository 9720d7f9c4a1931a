import Foundation
import KalandraCBOR
import Testing

/// Cross-checks against Python's cbor2 in both directions, through Resources/cbor2_crosscheck.py.
///
/// These tests fail, never skip, when python3 or cbor2 is missing: CI installs both (`pip install cbor2`).
@Suite struct Cbor2CrossCheckTests {
    static let script = TestSupport.resourcesDirectory.appendingPathComponent("cbor2_crosscheck.py")
    static let count = 600

    /// Swift encodes, cbor2 decodes, and the script's RFC 8949 encoder must reproduce the bytes.
    @Test func swiftEncodingsDecodeInCbor2() throws {
        var generator = RandomCBOR(seed: 2_024, profile: .cbor2Compatible)
        let lines = (0..<Self.count).map { _ in TestSupport.hex(CBOREncoder.encode(generator.value())) }
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("swift-encodings.txt")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)

        let result = try Self.runScript(["verify", file.path])
        #expect(result.status == 0, "cbor2 disagreed (exit \(result.status)):\n\(result.output)")
        #expect(result.output.contains("verified \(Self.count) encodings, 0 mismatches"), "\(result.output)")
    }

    /// cbor2 generates, Swift strict-decodes and must re-encode to the same bytes.
    @Test func cbor2EncodingsDecodeInSwift() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("cbor2-encodings.txt")
        let result = try Self.runScript(["generate", "8949", String(Self.count), file.path])
        try #require(result.status == 0, "the generator failed (exit \(result.status)):\n\(result.output)")

        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == Self.count)
        var kindsSeen = Set<String>()
        for (number, line) in lines.enumerated() {
            let bytes = TestSupport.bytes(line)
            do {
                let value = try TestSupport.strict.decode(bytes)
                kindsSeen.insert(PropertyTests.kind(of: value))
                #expect(TestSupport.hex(CBOREncoder.encode(value)) == line, "line \(number + 1)")
            } catch {
                Issue.record("line \(number + 1): \(line): \(error)")
            }
        }
        // The generator covers integers of both signs, strings, arrays, maps, tags, floats, booleans and null.
        #expect(kindsSeen.count >= 10, "kinds seen: \(kindsSeen.sorted())")
    }

    private static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kalandra-cbor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Runs the script with python3 from PATH and returns its exit status and combined output.
    private static func runScript(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Read before waiting, so a full pipe cannot deadlock the child.
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let status = process.terminationStatus
        switch status {
        case 127:
            Issue.record("python3 is not on PATH; the cbor2 cross-check needs python3 and `pip install cbor2`")
        case 3:
            Issue.record("cbor2 is not installed; the cross-check needs `python3 -m pip install cbor2`:\n\(output)")
        default:
            break
        }
        return (status, output)
    }
}
