import Foundation
import KalandraCore
import KalandraNotificationKeys
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The proof of the notification-keys design: `kalandra-notify` (built beside the test binary by `swift build`) loads
/// a full key cache and decrypts 1,000 envelopes in a process of its own, whose peak memory the kernel reports to us.
@Suite(.serialized) struct NotifyProcessTests {
    /// The seed allows 20 MB.
    static let peakMemoryKilobytesMaximum = 20_000
    /// The aim (8 MB), held by the pages the process itself wrote; the whole resident set also counts the
    /// clean code pages of the Swift runtime and Foundation, shared with other processes (see docs/ARCHITECTURE.md).
    static let dirtyKilobytesMaximum = 8_000
    /// The seed budgets 50 KB.
    static let cacheBytesMaximum = 50_000

    struct Outcome {
        var status: Int32
        var output: String
        /// The peak memory the child reports (its VmHWM), in kilobytes, if it printed one.
        var peakMemoryKilobytes: Int? { reported(after: "peak memory ") }
        /// The dirty memory the child reports at exit, in kilobytes.
        var dirtyKilobytes: Int? { reported(after: "dirty ") }

        func reported(after label: String) -> Int? {
            guard let range = output.range(of: label) else { return nil }
            return Int(output[range.upperBound...].prefix { $0.isNumber })
        }
    }

    static func executable() throws -> String {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [directory, directory.deletingLastPathComponent()].map {
            $0.appendingPathComponent("kalandra-notify").path
        }
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Missing(searched: candidates)
        }
        return path
    }

    struct Missing: Error, CustomStringConvertible {
        let searched: [String]
        var description: String { "kalandra-notify not found in \(searched); run swift build first" }
    }

    struct SpawnFailed: Error {
        let code: Int32
    }

    /// Runs the executable with posix_spawn. Its peak memory is what it reads from its own /proc/self/status (VmHWM):
    /// wait4's and getrusage's ru_maxrss would count this test process's resident set too, because a vfork-style
    /// spawn records the parent's high-water mark at exec.
    static func run(_ arguments: [String], in directory: URL) throws -> Outcome {
        let path = try executable()
        let outputPath = directory.appendingPathComponent("output-\(UUID()).txt").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw SpawnFailed(code: spawned) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw SpawnFailed(code: errno) }
        }
        let output = try String(contentsOfFile: outputPath, encoding: .utf8)
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exitStatus, output: output)
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kalandra-notify-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func decryptsAThousandEnvelopesWithinTheMemoryBudget() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = directory.appendingPathComponent("keys.cache").path
        let envelopes = directory.appendingPathComponent("envelopes.bin").path
        let generated = try Self.run(
            ["generate", "--cache", cache, "--envelopes", envelopes, "--count", "1000", "--seed", "5"],
            in: directory
        )
        #expect(generated.status == 0, "\(generated.output)")
        #expect(generated.output.contains("wrote 800 keys (44807 bytes) and 1000 envelopes"))
        let cacheBytes = try Data(contentsOf: URL(fileURLWithPath: cache))
        let modified = try FileManager.default.attributesOfItem(atPath: cache)[.modificationDate] as? Date

        let decrypted = try Self.run(["decrypt", "--cache", cache, "--envelopes", envelopes], in: directory)
        #expect(decrypted.status == 0, "\(decrypted.output)")
        #expect(decrypted.output.contains("loaded 800 keys from a 44807-byte cache"))
        #expect(decrypted.output.contains("decrypted 1000 of 1000 envelopes, 0 failed"))
        #expect(cacheBytes.count <= Self.cacheBytesMaximum)
        let peak = try #require(decrypted.peakMemoryKilobytes, "\(decrypted.output)")
        #expect(peak > 0)
        #expect(peak <= Self.peakMemoryKilobytesMaximum, "peak memory \(peak) kB")
        let dirty = try #require(decrypted.dirtyKilobytes, "\(decrypted.output)")
        #expect(dirty <= Self.dirtyKilobytesMaximum, "dirty memory \(dirty) kB")
        print("kalandra-notify over 1000 envelopes, cache \(cacheBytes.count) bytes: \(decrypted.output)")
        // The extension only reads the cache.
        #expect(try Data(contentsOf: URL(fileURLWithPath: cache)) == cacheBytes)
        #expect(try FileManager.default.attributesOfItem(atPath: cache)[.modificationDate] as? Date == modified)
    }

    @Test func reportsFailuresAndRefusesABadCache() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = directory.appendingPathComponent("keys.cache").path
        let envelopes = directory.appendingPathComponent("envelopes.bin").path
        let generated = try Self.run(
            ["generate", "--cache", cache, "--envelopes", envelopes, "--count", "3", "--rooms", "2", "--epochs", "2"],
            in: directory
        )
        #expect(generated.status == 0, "\(generated.output)")
        // Append a tampered copy of the first envelope and a bare header.
        var file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: envelopes)))
        let firstLength = Int(file[0]) << 8 | Int(file[1])
        var tampered = Array(file[2..<(2 + firstLength)])
        tampered[tampered.count - 1] ^= 1
        file += [UInt8(firstLength >> 8), UInt8(firstLength & 0xff)] + tampered
        file += [0, 3, 0x4b, 0x4e, 0x07]
        try Data(file).write(to: URL(fileURLWithPath: envelopes))

        let outcome = try Self.run(["decrypt", "--cache", cache, "--envelopes", envelopes], in: directory)
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(outcome.output.contains("envelope 3: envelope does not authenticate"))
        #expect(outcome.output.contains("envelope 4: unsupported envelope version 7"))
        #expect(outcome.output.contains("decrypted 3 of 5 envelopes, 2 failed"))

        try Data([0x4b, 0x4e, 0x4b, 0x43, 9, 0, 0]).write(to: URL(fileURLWithPath: cache))
        let refused = try Self.run(["decrypt", "--cache", cache, "--envelopes", envelopes], in: directory)
        #expect(refused.status == 2)
        #expect(refused.output.contains("refused: unsupported key cache version 9"))
        let usage = try Self.run(["decrypt"], in: directory)
        #expect(usage.status == 2)
        #expect(usage.output.contains("--cache is required"))
    }
}
