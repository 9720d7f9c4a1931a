import KalandraCrypto
import KalandraNotificationKeys

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `decrypt`: loads the cache, then reads and decrypts one envelope at a time.
enum Decrypt {
    /// Failures printed one per line; the rest are only counted.
    static let maximumFailuresShown = 10
    /// Envelopes read from one file at most.
    static let maximumEnvelopeCount = 1_000_000

    static func run(_ options: Options) throws(UsageError) -> Int32 {
        let cacheFile = try ReadOnlyFile(path: try options.string("cache"))
        var cacheBytes = try cacheFile.readBytes(upTo: NotificationKeyCache.maximumByteCount + 1)
        let decryptor: NotificationDecryptor
        do {
            decryptor = try NotificationDecryptor(cacheBytes: cacheBytes)
        } catch {
            throw UsageError(message: "cache \(cacheFile.path) refused: \(error)")
        }
        print("loaded \(decryptor.keyCount) keys from a \(cacheBytes.count)-byte cache")
        Zeroize.bytes(&cacheBytes)

        let envelopes = try ReadOnlyFile(path: try options.string("envelopes"))
        var total = 0
        var failed = 0
        while total < maximumEnvelopeCount {
            let prefix = try envelopes.readBytes(upTo: 2)
            if prefix.isEmpty { break }
            guard prefix.count == 2 else { throw UsageError(message: "\(envelopes.path): length prefix cut short") }
            let length = Int(prefix[0]) << 8 | Int(prefix[1])
            let envelope = try envelopes.readBytes(upTo: length)
            guard envelope.count == length else {
                throw UsageError(message: "\(envelopes.path): envelope \(total) cut short")
            }
            do {
                _ = try decryptor.decrypt(envelope)
            } catch {
                if failed < maximumFailuresShown { print("envelope \(total): \(error)") }
                failed += 1
            }
            total += 1
        }
        print("decrypted \(total - failed) of \(total) envelopes, \(failed) failed")
        print(memoryReport())
        return failed == 0 ? 0 : 1
    }

    /// The process's peak resident set size in kilobytes, and what is resident now, from /proc/self/status (Linux):
    /// VmHWM is the high-water mark of this program's own address space. getrusage's ru_maxrss is not used on Linux:
    /// after a vfork-style spawn (posix_spawn, Foundation's Process) it also counts the parent's resident set at the
    /// moment of exec. Code pages of the binary and its libraries are file-backed and clean (shared with every process
    /// that maps the same libraries, and dropped rather than swapped under pressure); heap and stacks are anonymous.
    /// "Dirty" (written pages: heap, stacks, relocated data) is what iOS charges against an extension's memory limit.
    static func memoryReport() -> String {
        guard let status = try? ReadOnlyFile(path: "/proc/self/status").readBytes(upTo: 8192) else {
            #if canImport(Darwin)
            var usage = rusage()
            getrusage(RUSAGE_SELF, &usage)
            return "peak memory \(usage.ru_maxrss / 1024) kB"  // Darwin reports bytes
            #else
            return "peak memory unknown (/proc/self/status unreadable)"
            #endif
        }
        let fields = kilobyteFields(status)
        let rollup = (try? ReadOnlyFile(path: "/proc/self/smaps_rollup").readBytes(upTo: 8192)).map(kilobyteFields)
        let dirty = rollup.map { ($0["Private_Dirty"] ?? 0) + ($0["Shared_Dirty"] ?? 0) + ($0["Swap"] ?? 0) }
        func show(_ value: Int?) -> String { value.map(String.init) ?? "?" }
        return "peak memory \(show(fields["VmHWM"])) kB (VmHWM; at exit: anonymous \(show(fields["RssAnon"])) kB, "
            + "file-backed \(show(fields["RssFile"])) kB, dirty \(show(dirty)) kB)"
    }

    /// `Name: value kB` lines of a /proc file.
    static func kilobyteFields(_ bytes: [UInt8]) -> [String: Int] {
        var fields: [String: Int] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let words = parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count == 2, words[1] == "kB", let value = Int(words[0]) { fields[String(parts[0])] = value }
        }
        return fields
    }
}
