import KalandraNotificationKeys

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `kalandra-notify`: what a notification extension does, as a process whose memory can be measured.
///
///     kalandra-notify decrypt --cache FILE --envelopes FILE
///
/// decrypts every envelope of a file (each prefixed by its length, 2 bytes big-endian) with the keys of a cache file
/// and prints the count, the first failures and the process's peak memory. Exit status: 0 if every envelope
/// decrypted, 1 if some did not, 2 if the arguments or the cache were bad.
///
///     kalandra-notify generate --cache FILE --envelopes FILE [--count 1000] [--rooms 200] [--epochs 4] [--seed 1]
///
/// (not in the usage text) writes a full cache and envelopes for it, for the tests and for measuring.
/// Foundation is not linked, so the measured memory is what the decryption needs.
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = "usage: kalandra-notify decrypt --cache FILE --envelopes FILE"

guard let command = arguments.first else {
    printError(usage)
    exit(2)
}
do {
    let options = try Options(Array(arguments.dropFirst()))
    switch command {
    case "decrypt": exit(try Decrypt.run(options))
    case "generate": exit(try Generate.run(options))
    default: throw UsageError(message: "unknown command \(command)\n\(usage)")
    }
} catch {
    printError("kalandra-notify: \(error)")
    exit(2)
}
