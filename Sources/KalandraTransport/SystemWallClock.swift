#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The real-time clock, kept in one file so that only it imports Foundation.
enum SystemWallClock {
    static func milliseconds() -> UInt64 {
        let seconds = Date().timeIntervalSince1970
        return seconds > 0 ? UInt64(seconds * 1000) : 0
    }
}
