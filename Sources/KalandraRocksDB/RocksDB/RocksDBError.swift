import CRocksDB

/// What went wrong in a RocksDB operation, in words an operator can act on.
///
/// When RocksDB itself reports the failure, `message` is RocksDB's own text (for example
/// `Corruption: block checksum mismatch: stored = ..., computed = ... in /data/000009.sst offset 0 size 4012`) and
/// `code` is read from that text's prefix. When the wrapper rejects an operation itself (a closed database, an unknown
/// column family, an argument over a limit), `message` says what was wrong in the same way.
public struct RocksDBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, for callers that react differently to each.
    public enum Code: Sendable, Equatable {
        /// Stored data failed a checksum or structural check: files on disk are damaged. Retrying does not help.
        case corruption
        /// The operating system reported a failure reading, writing or syncing a file (disk full, permissions, ...).
        case ioError
        /// RocksDB could not find a file it needed. A missing key is not an error: `get` returns `nil`.
        case notFound
        /// RocksDB rejected an argument or option, or an argument was over one of `RocksDatabase.Limits`.
        case invalidArgument
        /// The named column family was not opened with this database; list it in `RocksDatabase.Options`.
        case unknownColumnFamily(String)
        /// The operation came after `RocksDatabase.close()`.
        case closed
        /// Any other RocksDB status (busy, timed out, shutdown in progress, not supported, ...); see `message`.
        case other
    }

    /// The kind of failure.
    public var code: Code
    /// RocksDB's own text for the failure, or the wrapper's description of what it rejected.
    public var message: String

    /// Creates an error; callers use this to stop a `RocksDatabase.scan` with an error of their own.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The message: for RocksDB's errors it already starts with the kind of failure ("Corruption: ...").
    public var description: String { message }
}

extension RocksDBError.Code {
    /// The code for a RocksDB status text, read from the prefix that `rocksdb::Status::ToString()` writes.
    init(rocksDBMessage message: String) {
        if message.hasPrefix("Corruption:") {
            self = .corruption
        } else if message.hasPrefix("IO error:") {
            self = .ioError
        } else if message.hasPrefix("NotFound:") {
            self = .notFound
        } else if message.hasPrefix("Invalid argument:") {
            self = .invalidArgument
        } else {
            self = .other
        }
    }
}

extension RocksDBError {
    /// Takes an error string from RocksDB's `char** errptr` convention, which the caller owns, and frees it.
    init(takingRocksDBMessage pointer: UnsafeMutablePointer<CChar>) {
        let message = String(cString: pointer)
        rocksdb_free(pointer)
        self.init(code: Code(rocksDBMessage: message), message: message)
    }

    /// Throws the error RocksDB left in an `errptr`, if it left one.
    static func check(_ errorPointer: UnsafeMutablePointer<CChar>?) throws(RocksDBError) {
        if let errorPointer {
            throw RocksDBError(takingRocksDBMessage: errorPointer)
        }
    }

    static func closed(path: String) -> RocksDBError {
        RocksDBError(code: .closed, message: "the RocksDB database at \(path) is closed")
    }

    static func unknownColumnFamily(_ name: String, known: some Sequence<String>) -> RocksDBError {
        let list = known.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
        return RocksDBError(
            code: .unknownColumnFamily(name),
            message: "unknown column family \"\(name)\"; the database was opened with \(list)"
        )
    }

    static func invalidArgument(_ message: String) -> RocksDBError {
        RocksDBError(code: .invalidArgument, message: message)
    }
}
