#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened read-only, read in pieces: the extension never holds a write descriptor on what the main client
/// owns.
struct ReadOnlyFile: ~Copyable {
    private let descriptor: Int32
    let path: String

    init(path: String) throws(UsageError) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw UsageError(message: "cannot open \(path): errno \(errno)") }
        self.path = path
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes; fewer only at the end of the file.
    func readBytes(upTo count: Int) throws(UsageError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let result = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, count - filled) }
            if result < 0 && errno == EINTR { continue }
            guard result >= 0 else { throw UsageError(message: "cannot read \(path): errno \(errno)") }
            if result == 0 { break }
            filled += result
        }
        bytes.removeSubrange(filled...)
        return bytes
    }
}

/// Writes `bytes` to a new file at `path` (mode 0600), through a temporary file renamed into place, so a reader
/// sees the old file or the new one, never a part.
func writeFileAtomically(_ bytes: [UInt8], to path: String) throws(UsageError) {
    let temporary = path + ".tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw UsageError(message: "cannot create \(temporary): errno \(errno)") }
    var written = 0
    while written < bytes.count {
        let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
        if result < 0 && errno == EINTR { continue }
        guard result > 0 else {
            close(descriptor)
            throw UsageError(message: "cannot write \(temporary): errno \(errno)")
        }
        written += result
    }
    guard fsync(descriptor) == 0, close(descriptor) == 0, rename(temporary, path) == 0 else {
        throw UsageError(message: "cannot save \(path): errno \(errno)")
    }
}
