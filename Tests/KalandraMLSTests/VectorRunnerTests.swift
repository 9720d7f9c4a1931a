import Foundation
import KalandraMLSVectors
import Testing

/// The KalandraMLSVectors runner itself: format detection, refusal of unknown, ambiguous, malformed and oversized
/// input, and corrupted vectors reported as failures that name the field.
@Suite struct VectorRunnerTests {
    static let formats: [String: VectorFormat] = [
        "tree-math.json": .treeMath, "crypto-basics.json": .cryptoBasics, "deserialization.json": .deserialization,
        "secret-tree.json": .secretTree, "key-schedule.json": .keySchedule, "psk_secret.json": .pskSecret,
        "messages.json": .messages, "transcript-hashes.json": .transcriptHashes,
        "message-protection.json": .messageProtection, "welcome.json": .welcome,
        "tree-operations.json": .treeOperations, "tree-validation.json": .treeValidation, "treekem.json": .treeKEM,
        "passive-client-welcome.json": .passiveClient, "passive-client-handling-commit.json": .passiveClient,
    ]

    static func contents(of fileName: String) throws -> Data {
        try Data(contentsOf: VectorLoader.directory.appendingPathComponent(fileName))
    }

    /// `body`'s `VectorFileError`, or an issue if it threw none.
    static func fileError(_ body: () throws -> Void) -> VectorFileError? {
        do {
            try body()
            Issue.record("no error was thrown")
        } catch let error as VectorFileError {
            return error
        } catch {
            Issue.record("not a VectorFileError: \(error)")
        }
        return nil
    }

    @Test(arguments: formats.keys.sorted())
    func detectsEveryFormat(_ fileName: String) throws {
        #expect(try VectorRunner.detectFormat(of: Self.contents(of: fileName)) == Self.formats[fileName])
    }

    @Test func everyPublishedFileIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: VectorLoader.directory.path)
        #expect(Set(files.filter { $0.hasSuffix(".json") }) == Set(Self.formats.keys))
        #expect(Set(Self.formats.values) == Set(VectorFormat.allCases))
    }

    @Test(arguments: [
        (#"[{"foo": 1}]"#, "the first entry's keys (foo) match no format"),
        (#"{"n_leaves": 1}"#, "the top level is not an array of entries"),
        (#"[]"#, "the array has no entries"),
        (#"[1, 2]"#, "entry 0 is not an object"),
        (#""text""#, "the top level is not an array of entries"),
    ])
    func unknownContentIsUnrecognised(_ json: String, _ reason: String) {
        let error = Self.fileError { _ = try VectorRunner.run(data: Data(json.utf8)) }
        #expect(error == .unrecognisedFormat(reason))
        #expect(error?.description == "unrecognised format: \(reason)")
    }

    @Test func contentMatchingTwoFormatsIsUnrecognised() {
        let json = #"[{"vlbytes_header": "00", "length": 0, "cipher_suite": 1, "psks": [], "psk_secret": ""}]"#
        let error = Self.fileError { _ = try VectorRunner.run(data: Data(json.utf8)) }
        guard case .unrecognisedFormat(let reason) = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(reason.contains("match deserialization and psk_secret"))
    }

    @Test(arguments: [#"[{"length": 1"#, "", "[{]", #"[{"a" 1}]"#])
    func malformedJSONIsRefused(_ json: String) {
        let error = Self.fileError { _ = try VectorRunner.run(data: Data(json.utf8)) }
        guard case .malformedJSON = error else {
            Issue.record("\(String(describing: error))")
            return
        }
    }

    @Test func invalidUTF8IsRefused() {
        let error = Self.fileError { _ = try VectorRunner.run(data: Data([0x5B, 0xFF, 0xFE, 0x5D])) }
        guard case .malformedJSON = error else {
            Issue.record("\(String(describing: error))")
            return
        }
    }

    @Test func missingAndOversizedFilesAreRefused() throws {
        let missing = Self.fileError { _ = try VectorRunner.run(fileAtPath: "/nonexistent/vectors.json") }
        guard case .unreadable(let path, _) = missing else {
            Issue.record("\(String(describing: missing))")
            return
        }
        #expect(path == "/nonexistent/vectors.json")

        // A sparse file one byte over the limit: refused without parsing.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kalandra-oversized-\(UUID()).json")
        try Data("[".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(VectorRunner.fileSizeLimit + 1))
        try handle.close()
        let oversized = Self.fileError { _ = try VectorRunner.run(fileAtPath: url.path) }
        #expect(oversized == .tooLarge(limit: 64 << 20))
    }

    /// `fileName` with the first hex digit of the first value of `key` after `occurrence` earlier ones changed.
    static func corrupted(_ fileName: String, key: String, occurrence: Int = 0) throws -> Data {
        var text = String(decoding: try contents(of: fileName), as: UTF8.self)
        var searchStart = text.startIndex
        var found: Range<String.Index>?
        for _ in 0...occurrence {
            found = text.range(of: "\"\(key)\": \"", range: searchStart..<text.endIndex)
            searchStart = try #require(found).upperBound
        }
        let digit = try #require(found).upperBound
        text.replaceSubrange(digit...digit, with: text[digit] == "0" ? "1" : "0")
        return Data(text.utf8)
    }

    @Test func aChangedHexDigitFailsThatEntryNamingTheField() throws {
        // key-schedule.json, suite 1 (the first entry), epoch 2's joiner secret.
        let keySchedule = try VectorRunner.run(
            data: Self.corrupted("key-schedule.json", key: "joiner_secret", occurrence: 2)
        )
        #expect(keySchedule.totals == "1 passed, 1 failed, 5 skipped")
        #expect(keySchedule.failureLines == ["entry 0 (suite 1): epochs[2].joiner_secret differs"])

        // crypto-basics.json, suite 3 (the third entry): the expected RefHash output.
        let crypto = try VectorRunner.run(data: Self.corrupted("crypto-basics.json", key: "out", occurrence: 10))
        #expect(crypto.passedCount == 1 && crypto.failedCount == 1)
        #expect(crypto.entries[2].failureMessage?.contains("differs") == true, "\(crypto.failureLines)")

        // messages.json, entry 0: a changed byte in a commit either fails to decode or re-encodes differently.
        let messages = try VectorRunner.run(data: Self.corrupted("messages.json", key: "commit"))
        #expect(messages.passedCount == 299)
        #expect(messages.entries[0].failureMessage?.hasPrefix("commit") == true, "\(messages.failureLines)")
    }

    @Test func aChangedNumberFailsThatEntryNamingTheNode() throws {
        var entries = try #require(
            try JSONSerialization.jsonObject(with: Self.contents(of: "tree-math.json")) as? [[String: Any]]
        )
        var parents = try #require(entries[3]["parent"] as? [Any])
        parents[2] = 5
        entries[3]["parent"] = parents
        let report = try VectorRunner.run(data: JSONSerialization.data(withJSONObject: entries))
        #expect(report.failureLines == ["entry 3: parent[2] differs"])
        #expect(report.passedCount == 9)
    }

    @Test func anUndecodableEntryFailsAlone() throws {
        var entries = try #require(
            try JSONSerialization.jsonObject(with: Self.contents(of: "secret-tree.json")) as? [[String: Any]]
        )
        entries[1]["encryption_secret"] = "not hex"
        entries[4].removeValue(forKey: "sender_data")
        let report = try VectorRunner.run(data: JSONSerialization.data(withJSONObject: entries))
        // Entry 4 (suite 2) fails rather than being skipped: its suite is unknown once it does not decode.
        #expect(report.totals == "5 passed, 2 failed, 14 skipped")
        #expect(report.failureLines[0] == "entry 1: entry does not decode: encryptionSecret: not hex: not hex")
        #expect(report.failureLines[1].hasPrefix("entry 4: entry does not decode: missing field senderData"))
    }

    @Test func runningAsAnotherFormatFailsEveryEntry() throws {
        let report = try VectorRunner.run(data: Self.contents(of: "welcome.json"), as: .transcriptHashes)
        #expect(report.failedCount == 7)
        #expect(report.failureLines.allSatisfy { $0.contains("missing field") })
    }

    @Test(arguments: ["passive-client-welcome.json", "passive-client-handling-commit.json"])
    func passiveClientSamplesPass(_ fileName: String) throws {
        let report = try VectorRunner.run(data: Self.contents(of: fileName))
        #expect(report.format == .passiveClient)
        #expect(report.failedCount == 0 && report.skippedCount == 0, "\(report.failureLines)")
        #expect(report.entries.count >= 2)
    }

    /// A wrong epoch authenticator, a commit with one flipped bit, and a missing PSK each fail the entry.
    @Test func passiveClientRunnerFailsOnCorruptedScenarios() throws {
        let data = try Self.contents(of: "passive-client-handling-commit.json")
        var entries = try #require(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        entries = Array(entries.prefix(1))
        var epochs = try #require(entries[0]["epochs"] as? [[String: Any]])
        let authenticator = try #require(epochs[1]["epoch_authenticator"] as? String)
        let commit = try #require(epochs[0]["commit"] as? String)
        var wrongAuthenticator = entries[0]
        epochs[1]["epoch_authenticator"] = String(authenticator.reversed())
        wrongAuthenticator["epochs"] = epochs
        var flippedCommit = entries[0]
        epochs = try #require(entries[0]["epochs"] as? [[String: Any]])
        epochs[0]["commit"] = String(commit.dropLast()) + (commit.hasSuffix("0") ? "1" : "0")
        flippedCommit["epochs"] = epochs
        let report = try VectorRunner.run(
            data: JSONSerialization.data(withJSONObject: [entries[0], wrongAuthenticator, flippedCommit])
        )
        #expect(report.entries.map { $0.outcome == .passed } == [true, false, false], "\(report.failureLines)")
        #expect(report.failureLines.contains { $0.contains("epoch 1 authenticator differs") })
        #expect(report.failureLines.contains { $0.contains("epoch 0 commit") })
    }
}
