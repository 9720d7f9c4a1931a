/// How one entry of a vector file fared.
public enum VectorOutcome: Sendable, Equatable {
    /// Every check of the entry held.
    case passed
    /// At least one check failed; the message names the field that differed or the step that threw.
    case failed(String)
    /// The entry was not checked, for the given reason (an unsupported cipher suite, a format not yet implemented).
    case skipped(String)
}

/// The outcome of one entry of a vector file.
public struct VectorEntryResult: Sendable, Equatable {
    /// The entry's position in the file's array, from 0.
    public let index: Int
    /// The entry's cipher suite, for formats that have one.
    public let cipherSuite: UInt16?
    /// A short description of what the entry holds (a proposal type, a tree size), when the format has one.
    public let summary: String?
    /// How many items (`VectorFormat.itemName`) were checked inside the entry.
    public let itemCount: Int
    /// Passed, failed or skipped.
    public let outcome: VectorOutcome

    /// A result for entry `index`.
    public init(index: Int, cipherSuite: UInt16?, summary: String?, itemCount: Int, outcome: VectorOutcome) {
        self.index = index
        self.cipherSuite = cipherSuite
        self.summary = summary
        self.itemCount = itemCount
        self.outcome = outcome
    }

    /// The failure message, if the entry failed.
    public var failureMessage: String? {
        if case .failed(let message) = outcome { message } else { nil }
    }
}

/// The outcome of running one vector file: one result per entry, and totals.
public struct VectorReport: Sendable, Equatable {
    /// The format the file was run as.
    public let format: VectorFormat
    /// One result per entry, in file order.
    public let entries: [VectorEntryResult]

    /// A report of `entries` run as `format`.
    public init(format: VectorFormat, entries: [VectorEntryResult]) {
        self.format = format
        self.entries = entries
    }

    /// Entries whose every check held.
    public var passedCount: Int { entries.count { $0.outcome == .passed } }
    /// Entries with a failed check.
    public var failedCount: Int { entries.count { $0.failureMessage != nil } }
    /// Entries not checked.
    public var skippedCount: Int { entries.count - passedCount - failedCount }
    /// Items checked across every entry (see `VectorFormat.itemName`).
    public var itemCount: Int { entries.reduce(0) { $0 + $1.itemCount } }

    /// "N passed, M failed, K skipped".
    public var totals: String { "\(passedCount) passed, \(failedCount) failed, \(skippedCount) skipped" }

    /// Each failed entry as "entry I (suite S): message".
    public var failureLines: [String] {
        entries.compactMap { entry in
            guard let message = entry.failureMessage else { return nil }
            let suite = entry.cipherSuite.map { " (suite \($0))" } ?? ""
            return "entry \(entry.index)\(suite): \(message)"
        }
    }
}
