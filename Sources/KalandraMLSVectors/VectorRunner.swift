import Foundation

/// Runs MLS test-vector files: recognises the format from the content, checks every entry with that format's runner,
/// and reports per-entry outcomes. Used by the KalandraMLS tests and by `kalandra mls-vectors`.
public enum VectorRunner {
    /// Files larger than this are refused before parsing (the largest published file is under 3 MiB).
    public static let fileSizeLimit = 64 << 20

    /// Reads the file at `path` (at most `fileSizeLimit` bytes), recognises its format and runs it.
    public static func run(fileAtPath path: String) throws(VectorFileError) -> VectorReport {
        try run(data: readFile(atPath: path))
    }

    /// Recognises the format of `data` (a vector file's content) and runs it.
    public static func run(data: Data) throws(VectorFileError) -> VectorReport {
        let entries = try parseEntries(data)
        let format = try detectFormat(entries)
        return try run(data: data, entries: entries, as: format)
    }

    /// Runs `data` as `format`, without detection.
    public static func run(data: Data, as format: VectorFormat) throws(VectorFileError) -> VectorReport {
        try run(data: data, entries: parseEntries(data), as: format)
    }

    /// The format of `data` (a vector file's content), recognised from the keys of its first entry.
    public static func detectFormat(of data: Data) throws(VectorFileError) -> VectorFormat {
        try detectFormat(parseEntries(data))
    }

    /// The file's bytes, refusing files over the limit without reading more than one byte past it.
    static func readFile(atPath path: String) throws(VectorFileError) -> Data {
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            data = try handle.read(upToCount: fileSizeLimit + 1) ?? Data()
        } catch {
            throw .unreadable(path: path, reason: Self.describe(error))
        }
        guard data.count <= fileSizeLimit else { throw .tooLarge(limit: fileSizeLimit) }
        return data
    }

    /// The top-level array of `data` as untyped JSON objects.
    static func parseEntries(_ data: Data) throws(VectorFileError) -> [[String: Any]] {
        guard data.count <= fileSizeLimit else { throw .tooLarge(limit: fileSizeLimit) }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw .malformedJSON(describe(error))
        }
        guard let array = json as? [Any] else {
            throw .unrecognisedFormat("the top level is not an array of entries")
        }
        guard !array.isEmpty else { throw .unrecognisedFormat("the array has no entries") }
        var objects: [[String: Any]] = []
        objects.reserveCapacity(array.count)
        for (index, element) in array.enumerated() {
            guard let object = element as? [String: Any] else {
                throw .unrecognisedFormat("entry \(index) is not an object")
            }
            objects.append(object)
        }
        return objects
    }

    static func detectFormat(_ entries: [[String: Any]]) throws(VectorFileError) -> VectorFormat {
        let keys = Set(entries.first?.keys ?? [:].keys)
        let matches = VectorFormat.allCases.filter { $0.requiredKeys.isSubset(of: keys) }
        guard matches.count == 1 else {
            let shown = keys.sorted().prefix(12).joined(separator: ", ")
            let which = matches.isEmpty ? "no format" : matches.map(\.rawValue).joined(separator: " and ")
            throw .unrecognisedFormat("the first entry's keys (\(shown)) match \(which)")
        }
        return matches[0]
    }

    private static func run(
        data: Data,
        entries: [[String: Any]],
        as format: VectorFormat
    ) throws(VectorFileError) -> VectorReport {
        switch format {
        case .treeMath: try run(TreeMathRunner.self, data, format)
        case .cryptoBasics: try run(CryptoBasicsRunner.self, data, format)
        case .deserialization: try run(DeserializationRunner.self, data, format)
        case .secretTree: try run(SecretTreeRunner.self, data, format)
        case .keySchedule: try run(KeyScheduleRunner.self, data, format)
        case .pskSecret: try run(PSKSecretRunner.self, data, format)
        case .messages: try run(MessagesRunner.self, data, format)
        case .transcriptHashes: try run(TranscriptHashesRunner.self, data, format)
        case .messageProtection: try run(MessageProtectionRunner.self, data, format)
        case .welcome: try run(WelcomeRunner.self, data, format)
        case .treeOperations: try run(TreeOperationsRunner.self, data, format)
        case .treeValidation: try run(TreeValidationRunner.self, data, format)
        case .treeKEM: try run(TreeKEMRunner.self, data, format)
        case .passiveClient: try run(PassiveClientRunner.self, data, format)
        }
    }

    private static func run<Runner: EntryRunner>(
        _ runner: Runner.Type,
        _ data: Data,
        _ format: VectorFormat
    ) throws(VectorFileError) -> VectorReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let decoded: [DecodedEntry<Runner.Entry>]
        do {
            decoded = try decoder.decode([DecodedEntry<Runner.Entry>].self, from: data)
        } catch {
            throw .malformedJSON(describe(error))
        }
        let results = decoded.enumerated().map { index, entry in
            switch entry.result {
            case .success(let value): runEntry(Runner.self, value, index: index)
            case .failure(let failure):
                VectorEntryResult(
                    index: index,
                    cipherSuite: nil,
                    summary: nil,
                    itemCount: 0,
                    outcome: .failed(failure.message)
                )
            }
        }
        return VectorReport(format: format, entries: results)
    }

    private static func runEntry<Runner: EntryRunner>(
        _ runner: Runner.Type,
        _ entry: Runner.Entry,
        index: Int
    ) -> VectorEntryResult {
        let suite = Runner.cipherSuite(of: entry)
        let summary = Runner.summary(of: entry)
        var check: EntryCheck
        switch EntryCheck.forSuite(suite) {
        case .run(let prepared): check = prepared
        case .done(let outcome):
            return VectorEntryResult(index: index, cipherSuite: suite, summary: summary, itemCount: 0, outcome: outcome)
        }
        var itemCount = 0
        do {
            itemCount = try Runner.check(entry, &check)
        } catch {
            check.record(error.message)
        }
        return VectorEntryResult(
            index: index,
            cipherSuite: suite,
            summary: summary,
            itemCount: itemCount,
            outcome: check.outcome
        )
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            "missing field \(path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.dataCorrupted(let context):
            "\(path(context.codingPath)): \(context.debugDescription)"
        default:
            ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String)
                ?? (error as NSError).localizedDescription
        }
    }

    /// A coding path as "leaves[3][0].applicationNonce", without the entry's own index (the report gives it).
    private static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys.dropFirst() {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "the entry" : text
    }
}
